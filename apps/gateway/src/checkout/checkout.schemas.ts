import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { amountSchema, currencySchema, externalIdSchema as id } from '../http/request-schemas';

export class PayDto extends createZodDto(
  z.strictObject({
    clientId: id,
    currency: currencySchema,
    saleId: id,
    amountOwed: amountSchema,
    amountRequested: amountSchema.optional(),
    saleAmount: amountSchema.optional(),
    note: z.string().max(500).optional(),
  }),
) {}

export class RefundDto extends createZodDto(
  z.strictObject({
    clientId: id,
    currency: currencySchema,
    refundId: id,
    amount: amountSchema,
    paymentCommandId: id.optional(),
    saleId: id.optional(),
    saleAmount: amountSchema.optional(),
    note: z.string().max(500).optional(),
  }),
) {}
