import { createZodDto } from 'nestjs-zod';
import {
  captureHoldRequestSchema,
  checkoutHoldRequestSchema,
  checkoutPaymentRequestSchema,
  refundRequestSchema,
  releaseHoldRequestSchema,
} from '@storecredit/contracts';
import { z } from 'zod';

/** What a till sends to pay, hold, capture or release: the bodies the web app's checkout tile validates with too (libs/contracts/src/requests.ts). */
export class PayDto extends createZodDto(checkoutPaymentRequestSchema) {}

/** The body of a refund: the contract's refundRequestSchema, which the web app's refund screen sends. */
export class RefundDto extends createZodDto(refundRequestSchema) {}

export class HoldDto extends createZodDto(checkoutHoldRequestSchema) {}

export class CaptureDto extends createZodDto(captureHoldRequestSchema) {}

export class ReleaseDto extends createZodDto(releaseHoldRequestSchema) {}

export const holdStatuses = ['active', 'captured', 'released', 'expired'] as const;

export class HoldListQueryDto extends createZodDto(z.strictObject({ status: z.enum(holdStatuses).optional() })) {}
