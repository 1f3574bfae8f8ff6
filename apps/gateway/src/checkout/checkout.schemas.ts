import { createZodDto } from 'nestjs-zod';
import { checkoutPaymentRequestSchema, holdExpiresInSecondsMax } from '@storecredit/contracts';
import { z } from 'zod';
import { amountSchema, currencySchema, referenceIdSchema as id } from '../http/request-schemas';

/**
 * What a till says of a sale when it pays or holds balance for it: the body the web app's checkout tile validates
 * with too (libs/contracts/src/requests.ts).
 */
const saleTake = checkoutPaymentRequestSchema.shape;

export class PayDto extends createZodDto(checkoutPaymentRequestSchema) {}

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

export class HoldDto extends createZodDto(
  z.strictObject({ ...saleTake, expiresInSeconds: z.number().int().min(1).max(holdExpiresInSecondsMax).optional() }),
) {}

export class CaptureDto extends createZodDto(z.strictObject({ amount: amountSchema.optional(), note: z.string().max(500).optional() })) {}

export class ReleaseDto extends createZodDto(z.strictObject({ note: z.string().max(500).optional() })) {}

export const holdStatuses = ['active', 'captured', 'released', 'expired'] as const;

export class HoldListQueryDto extends createZodDto(z.strictObject({ status: z.enum(holdStatuses).optional() })) {}
