import { z } from 'zod';
import { entryTypes } from './entries';

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

export const eventSchema = z.discriminatedUnion('type', [entryRecordedSchema, giftCardEventSchema]);
export type EntryRecorded = z.infer<typeof entryRecordedSchema>;
export type GiftCardEvent = z.infer<typeof giftCardEventSchema>;
export type LedgerEvent = z.infer<typeof eventSchema>;
