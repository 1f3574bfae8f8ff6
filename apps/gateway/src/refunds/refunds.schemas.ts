import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { currencySchema, pageLimitSchema } from '../http/request-schemas';

/** GET /api/clients/:clientId/payments: one currency or all, keyset-paginated. */
export class PaymentListQueryDto extends createZodDto(
  z.strictObject({
    currency: currencySchema.optional(),
    cursor: z.string().max(500).optional(),
    limit: pageLimitSchema,
  }),
) {}
