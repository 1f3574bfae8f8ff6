import { balanceAddRequestSchema, entryTypes, isSupportedCurrency, referenceTypes, reverseEntryRequestSchema } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { amountSchema, currencySchema, pageLimitSchema } from '../http/request-schemas';

/**
 * Field for field the contract's balanceChangeRequestSchema (libs/contracts/src/requests.ts), but for the message of a
 * malformed referenceId: this one answers zod's own pattern message, as the API always has, the contract's its own
 * sentence. Taking the contract's schema would change what that 400 says.
 */
const balanceChangeSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  note: z.string().max(500).optional(),
  referenceType: z.enum(referenceTypes).default('manual'),
  referenceId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/).optional(),
});

export class BalanceChangeDto extends createZodDto(balanceChangeSchema) {}

/** An add may say when its credit expires (the contract's balanceAddRequestSchema); a deduction may not. */
export class BalanceAddDto extends createZodDto(balanceChangeSchema.extend({ expiresAt: balanceAddRequestSchema.shape.expiresAt })) {}

/** Undo a staff add or deduct: the contract's reverseEntryRequestSchema. */
export class ReverseEntryDto extends createZodDto(reverseEntryRequestSchema) {}

export class HistoryQueryDto extends createZodDto(
  z.strictObject({
    currency: currencySchema.optional(),
    type: z
      .union([z.enum(entryTypes), z.array(z.enum(entryTypes))])
      .optional()
      .transform((value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value])),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().max(500).optional(),
    limit: pageLimitSchema,
  }),
) {}

/** The currency in a path (`/balances/AED`): a supported code, or 400 naming it. */
export function currencyParam(currency: string): string {
  if (!isSupportedCurrency(currency)) throw new ApiError('invalid_request', { currency }, 'Unknown currency');
  return currency;
}
