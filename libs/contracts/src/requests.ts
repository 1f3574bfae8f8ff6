import { z } from 'zod';
import { isSupportedCurrency } from './currency';
import { referenceTypes } from './entries';
import { giftCardsPerIssueMax, holdExpiresInSecondsMax, noteLengthMax } from './limits';

/**
 * The bodies of the HTTP requests the staff web app sends, as zod schemas both sides can hold: the web app validates
 * its forms with them before sending, and they are written to match the gateway's own request schemas field for field
 * (apps/gateway/src/<area>.schemas.ts), which can import them from here. An amount stays a string: the contract's
 * parseAmount decides it, with the currency's decimals.
 */

export const clientNameLengthMax = 200;
export const clientPhoneLengthMin = 3;
export const clientPhoneLengthMax = 40;
export const clientEmailLengthMax = 200;
export const clientExternalIdLengthMax = 128;
/** What a person may type for a code, with spaces and dashes, before it is normalized. */
export const giftCardCodeInputLengthMax = 64;

export const clientNameSchema = z.string().trim().min(1).max(clientNameLengthMax);
export const clientPhoneSchema = z.string().trim().min(clientPhoneLengthMin).max(clientPhoneLengthMax);
export const clientEmailSchema = z.email().max(clientEmailLengthMax);
export const clientExternalIdSchema = z.string().trim().min(1).max(clientExternalIdLengthMax);

/** A client, sale, refund or payment id as the host system names it. */
export const referenceIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1 to 128 letters, digits or . _ : @ -');

export const currencySchema = z.string().refine((code) => isSupportedCurrency(code), 'must be an ISO 4217 currency code such as AED');
export const amountSchema = z.string({ error: 'must be a decimal string such as "25.50"' }).max(40);
export const noteSchema = z.string().max(noteLengthMax);

/** POST /api/clients. */
export const createClientRequestSchema = z.strictObject({
  id: referenceIdSchema.optional(),
  name: clientNameSchema,
  phone: clientPhoneSchema.optional(),
  email: clientEmailSchema.optional(),
  externalId: clientExternalIdSchema.optional(),
});

/** PATCH /api/clients/:id: an edit names only what changes; null clears an optional field. */
export const updateClientRequestSchema = z
  .strictObject({
    name: clientNameSchema.optional(),
    phone: clientPhoneSchema.nullable().optional(),
    email: clientEmailSchema.nullable().optional(),
    externalId: clientExternalIdSchema.nullable().optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'name at least one of name, phone, email, externalId');

/** POST /api/clients/:id/balance/add and /balance/deduct. */
export const balanceChangeRequestSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  note: noteSchema.optional(),
  referenceType: z.enum(referenceTypes).default('manual'),
  referenceId: referenceIdSchema.optional(),
});

/**
 * POST /api/clients/:id/balance/add: a change, and optionally when the credit it creates stops being spendable (an
 * ISO 8601 instant with its offset; the ledger refuses one not in the future: expiry_not_in_future). A deduction
 * takes no expiry: it creates no credit.
 */
export const balanceAddRequestSchema = z.strictObject({
  ...balanceChangeRequestSchema.shape,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** POST /api/clients/:id/entries/:entryId/reverse: a staff add or deduct undone; the note says why, for the audit trail. */
export const reverseEntryRequestSchema = z.strictObject({
  currency: currencySchema,
  note: z.string().trim().min(1, 'say why the entry is reversed').max(noteLengthMax),
});

/** POST /api/clients/:id/gift-card-redemptions (the code's own rule is giftCardCodePattern). */
export const redeemGiftCardRequestSchema = z.strictObject({
  code: z.string().min(1).max(giftCardCodeInputLengthMax),
  note: noteSchema.optional(),
});

/** POST /api/gift-cards. */
export const issueGiftCardsRequestSchema = z.strictObject({
  amount: amountSchema,
  currency: currencySchema,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  count: z.number().int().min(1).max(giftCardsPerIssueMax).default(1),
});

/** POST /api/checkout/payments: pay part or all of a sale from the client's balance. */
export const checkoutPaymentRequestSchema = z.strictObject({
  clientId: referenceIdSchema,
  currency: currencySchema,
  saleId: referenceIdSchema,
  amountOwed: amountSchema,
  amountRequested: amountSchema.optional(),
  saleAmount: amountSchema.optional(),
  note: noteSchema.optional(),
});

/**
 * POST /api/checkout/holds: reserve part or all of a sale from the client's available balance (split-tender checkout)
 * until it is captured or released, or until it expires (the ledger's default when expiresInSeconds is left out).
 */
export const checkoutHoldRequestSchema = z.strictObject({
  ...checkoutPaymentRequestSchema.shape,
  expiresInSeconds: z.number().int().min(1).max(holdExpiresInSecondsMax).optional(),
});

/** POST /api/checkout/holds/:holdId/capture: take `amount` of the hold (all of it when left out); the rest is released. */
export const captureHoldRequestSchema = z.strictObject({
  amount: amountSchema.optional(),
  note: noteSchema.optional(),
});

/** POST /api/checkout/holds/:holdId/release: what the hold reserved is available again. */
export const releaseHoldRequestSchema = z.strictObject({
  note: noteSchema.optional(),
});

/**
 * POST /api/refunds: credit a refund to the client's balance, once per refundId: of a balance payment
 * (paymentCommandId) or of a sale (saleId with the sale's amount). The web app's refund screen sends it.
 */
export const refundRequestSchema = z.strictObject({
  clientId: referenceIdSchema,
  currency: currencySchema,
  refundId: referenceIdSchema,
  amount: amountSchema,
  paymentCommandId: referenceIdSchema.optional(),
  saleId: referenceIdSchema.optional(),
  saleAmount: amountSchema.optional(),
  note: noteSchema.optional(),
});

/** The `last4` filter of GET /api/gift-cards. */
export const giftCardLast4Schema = z.string().regex(/^[0-9A-Za-z]{4}$/);

export type CreateClientRequest = z.input<typeof createClientRequestSchema>;
export type UpdateClientRequest = z.input<typeof updateClientRequestSchema>;
export type BalanceChangeRequest = z.input<typeof balanceChangeRequestSchema>;
export type BalanceAddRequest = z.input<typeof balanceAddRequestSchema>;
export type ReverseEntryRequest = z.input<typeof reverseEntryRequestSchema>;
export type RedeemGiftCardRequest = z.input<typeof redeemGiftCardRequestSchema>;
export type IssueGiftCardsRequest = z.input<typeof issueGiftCardsRequestSchema>;
export type CheckoutPaymentRequest = z.input<typeof checkoutPaymentRequestSchema>;
export type CheckoutHoldRequest = z.input<typeof checkoutHoldRequestSchema>;
export type CaptureHoldRequest = z.input<typeof captureHoldRequestSchema>;
export type ReleaseHoldRequest = z.input<typeof releaseHoldRequestSchema>;
export type RefundRequest = z.input<typeof refundRequestSchema>;
