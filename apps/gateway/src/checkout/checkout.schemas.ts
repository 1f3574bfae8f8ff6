import { createZodDto } from 'nestjs-zod';
import { holdExpiresInSecondsMax } from '@storecredit/contracts';
import { z } from 'zod';
import { amountSchema, currencySchema, externalIdSchema as id } from '../http/request-schemas';

/** What a till says of a sale when it pays or holds balance for it. */
const saleTake = {
  clientId: id,
  currency: currencySchema,
  saleId: id,
  amountOwed: amountSchema,
  amountRequested: amountSchema.optional(),
  saleAmount: amountSchema.optional(),
  note: z.string().max(500).optional(),
};

export class PayDto extends createZodDto(z.strictObject(saleTake)) {}

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
