import { createZodDto } from 'nestjs-zod';
import {
  captureHoldRequestSchema,
  checkoutHoldRequestSchema,
  checkoutPaymentRequestSchema,
  releaseHoldRequestSchema,
} from '@storecredit/contracts';
import { z } from 'zod';
import { amountSchema, currencySchema, referenceIdSchema as id } from '../http/request-schemas';

/** What a till sends to pay, hold, capture or release: the bodies the web app's checkout tile validates with too (libs/contracts/src/requests.ts). */
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

export class HoldDto extends createZodDto(checkoutHoldRequestSchema) {}

export class CaptureDto extends createZodDto(captureHoldRequestSchema) {}

export class ReleaseDto extends createZodDto(releaseHoldRequestSchema) {}

export const holdStatuses = ['active', 'captured', 'released', 'expired'] as const;

export class HoldListQueryDto extends createZodDto(z.strictObject({ status: z.enum(holdStatuses).optional() })) {}
