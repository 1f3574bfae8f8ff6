import { giftCardDisplayStatuses, giftCardsPerIssueMax, noteLengthMax } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { amountSchema, currencySchema, pageLimitSchema } from '../http/request-schemas';

export class IssueGiftCardsDto extends createZodDto(
  z.strictObject({
    amount: amountSchema,
    currency: currencySchema,
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    count: z.number().int().min(1).max(giftCardsPerIssueMax).default(1),
  }),
) {}

export class ListGiftCardsDto extends createZodDto(
  z.strictObject({
    status: z.enum(giftCardDisplayStatuses).optional(),
    last4: z.string().regex(/^[0-9A-Za-z]{4}$/).optional(),
    cursor: z.string().max(noteLengthMax).optional(),
    limit: pageLimitSchema,
  }),
) {}

export class RedeemDto extends createZodDto(z.strictObject({ code: z.string().min(1).max(64), note: z.string().max(noteLengthMax).optional() })) {}
