import { z } from 'zod';
import { errorCodes } from './errors';
import { giftCardStatuses } from './gift-card-status';
import { lotSources } from './entries';

/** A lot a credit created: where the credit came from and when it expires (null: never). */
export const createdLotSchema = z.strictObject({
  lotId: z.string(),
  source: z.enum(lotSources),
  amount: z.string(),
  expiresAt: z.string().nullable(),
  /** A lot given back by a refund or a reversal: the lot the credit was first drawn from. */
  restoredFrom: z.string().nullable().optional(),
});

/** What a debit drew from one lot, in the consumption order. */
export const allocationSchema = z.strictObject({
  lotId: z.string(),
  source: z.enum(lotSources),
  amount: z.string(),
  expiresAt: z.string().nullable(),
});

/** A bonus tier as applied: a top-up of at least minAmount earns percent of it, or a fixed amount. */
export const bonusTierSchema = z.strictObject({
  minAmount: z.string(),
  percent: z.string().optional(),
  fixed: z.string().optional(),
});

export const replySchemaVersion = 1;

const walletResult = z.strictObject({
  walletId: z.string(),
  clientId: z.string(),
  currency: z.string(),
  /** The ledger entry written, or null when nothing changed (a payment from a zero balance). */
  entryId: z.string().nullable(),
  entryType: z.string().nullable(),
  /** Unsigned amount moved by this command. */
  amount: z.string(),
  balanceAfter: z.string(),
  /** Payments only: what is still owed on the sale after this payment. */
  amountStillOwed: z.string().optional(),
  giftCardId: z.string().optional(),
  /** Payments and refunds: the sale as the ledger now knows it (its amount, what balance paid, what was refunded). */
  sale: z
    .strictObject({ saleId: z.string(), amount: z.string(), paidWithBalance: z.string(), refunded: z.string(), held: z.string().optional() })
    .optional(),
  /** Hold commands: the wallet's balance less its active holds, after this command. */
  available: z.string().optional(),
  /** Holds: what this hold placed ("0.00" when nothing was available: no hold). */
  amountHeld: z.string().optional(),
  /** Hold commands: the hold after this command. */
  hold: z
    .strictObject({
      holdId: z.string(),
      saleId: z.string(),
      amount: z.string(),
      captured: z.string(),
      status: z.enum(['active', 'captured', 'released', 'expired']),
      expiresAt: z.string(),
    })
    .optional(),
  /** Credits: the lots this entry created (one; a refund of a payment gives back one per lot the payment drew from). */
  lots: z.array(createdLotSchema).optional(),
  /** Debits: what the entry drew from each lot, in the consumption order. */
  allocations: z.array(allocationSchema).optional(),
  /** A paid top-up that met a bonus tier: the bonus_credit entry written with it (balanceAfter includes it). */
  bonus: z
    .strictObject({
      entryId: z.string(),
      amount: z.string(),
      lot: createdLotSchema,
      tier: bonusTierSchema,
    })
    .optional(),
  /** balance.reverse: the entry it reversed. */
  reversedEntryId: z.string().optional(),
});

const giftCardResult = z.strictObject({
  giftCardId: z.string(),
  last4: z.string(),
  amount: z.string(),
  currency: z.string(),
  status: z.enum(giftCardStatuses),
  expiresAt: z.string().nullable(),
});

export const replySchema = z.strictObject({
  schemaVersion: z.literal(replySchemaVersion),
  commandId: z.string(),
  commandType: z.string(),
  businessId: z.string(),
  /** Copied from the request's correlation-id header (or the command id) so a requester can match it. */
  correlationId: z.string(),
  status: z.enum(['applied', 'rejected']),
  result: z.union([walletResult, giftCardResult]).optional(),
  error: z
    .strictObject({
      code: z.enum(errorCodes as [string, ...string[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** True when this reply repeats the stored outcome of an earlier delivery of the same command. */
  replayed: z.boolean(),
  processedAt: z.string(),
});

export type Reply = z.infer<typeof replySchema>;
export type WalletResult = z.infer<typeof walletResult>;
export type GiftCardResult = z.infer<typeof giftCardResult>;
export type CreatedLot = z.infer<typeof createdLotSchema>;
export type Allocation = z.infer<typeof allocationSchema>;
export type BonusTier = z.infer<typeof bonusTierSchema>;
/** A reply as the ledger stores it: the per-delivery fields are added when it is sent. */
export type StoredReply = Omit<Reply, 'correlationId' | 'replayed'>;
