import { z } from 'zod';
import { entryTypes } from './entries';
import { allocationSchema, bonusTierSchema, createdLotSchema } from './replies';

export const eventSchemaVersion = 1;

/**
 * One event per ledger entry, keyed by wallet, in wallet order: `sequence` counts the wallet's entries
 * from 1 without gaps, so a consumer can detect a missing or repeated event and rebuild every balance.
 */
export const entryRecordedSchema = z.strictObject({
  schemaVersion: z.literal(eventSchemaVersion),
  type: z.literal('wallet.entry_recorded'),
  eventId: z.string(),
  businessId: z.string(),
  clientId: z.string(),
  currency: z.string(),
  walletId: z.string(),
  sequence: z.number().int().positive(),
  entryType: z.enum(entryTypes),
  /** Signed: credits positive, debits negative. */
  amount: z.string(),
  balanceAfter: z.string(),
  reference: z.strictObject({ type: z.string(), id: z.string().nullable() }),
  note: z.string().nullable(),
  actor: z.string(),
  commandId: z.string(),
  occurredAt: z.string(),
  /** A credit: the lots it created. */
  lots: z.array(createdLotSchema).optional(),
  /** A debit (payment, capture, deduct, debit, expiry, reversal of an add): what it drew from each lot. */
  allocations: z.array(allocationSchema).optional(),
  /** A bonus_credit: the tier of the business's bonus rules it was granted under. */
  bonusTier: bonusTierSchema.optional(),
  /** A balance_reversed: the entry it undid. */
  reversesEntryId: z.string().optional(),
});

/** Gift card lifecycle, for liability reports; keyed by business. */
export const giftCardEventSchema = z.strictObject({
  schemaVersion: z.literal(eventSchemaVersion),
  type: z.enum(['giftcard.issued', 'giftcard.voided', 'giftcard.redeemed']),
  eventId: z.string(),
  businessId: z.string(),
  giftCardId: z.string(),
  last4: z.string(),
  amount: z.string(),
  currency: z.string(),
  expiresAt: z.string().nullable(),
  commandId: z.string(),
  occurredAt: z.string(),
});

/**
 * A hold placed or ended, keyed by wallet in the wallet's order with its entries: `afterSequence` is the sequence of
 * the wallet's last entry when it happened (a capture's used_for_payment entry comes just before its hold.captured).
 * With the entries' balanceAfter, `heldAfter` (the wallet's active holds after it) gives available = balance - held.
 */
export const holdEventSchema = z.strictObject({
  schemaVersion: z.literal(eventSchemaVersion),
  type: z.enum(['hold.placed', 'hold.captured', 'hold.released', 'hold.expired']),
  eventId: z.string(),
  businessId: z.string(),
  clientId: z.string(),
  currency: z.string(),
  walletId: z.string(),
  holdId: z.string(),
  saleId: z.string(),
  /** What the hold held. */
  amount: z.string(),
  /** What its capture took (hold.captured), else "0.00". */
  captured: z.string(),
  afterSequence: z.number().int().nonnegative(),
  balanceAfter: z.string(),
  heldAfter: z.string(),
  expiresAt: z.string(),
  actor: z.string(),
  commandId: z.string(),
  occurredAt: z.string(),
});

export const eventSchema = z.discriminatedUnion('type', [entryRecordedSchema, giftCardEventSchema, holdEventSchema]);
export type HoldEvent = z.infer<typeof holdEventSchema>;
export type EntryRecorded = z.infer<typeof entryRecordedSchema>;
export type GiftCardEvent = z.infer<typeof giftCardEventSchema>;
export type LedgerEvent = z.infer<typeof eventSchema>;
