import { giftCardDisplayStatuses, giftCardLast4Schema, issueGiftCardsRequestSchema, noteLengthMax, redeemGiftCardRequestSchema } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageLimitSchema } from '../http/request-schemas';

/** Issuing and redeeming take the bodies the web app's dialogs validate with (libs/contracts/src/requests.ts). */
export class IssueGiftCardsDto extends createZodDto(issueGiftCardsRequestSchema) {}

export class ListGiftCardsDto extends createZodDto(
  z.strictObject({
    status: z.enum(giftCardDisplayStatuses).optional(),
    last4: giftCardLast4Schema.optional(),
    cursor: z.string().max(noteLengthMax).optional(),
    limit: pageLimitSchema,
  }),
) {}

export class RedeemDto extends createZodDto(redeemGiftCardRequestSchema) {}
