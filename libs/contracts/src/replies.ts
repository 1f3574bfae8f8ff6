import { z } from 'zod';
import { errorCodes } from './errors';
import { giftCardStatuses } from './gift-card-status';

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
/** A reply as the ledger stores it: the per-delivery fields are added when it is sent. */
export type StoredReply = Omit<Reply, 'correlationId' | 'replayed'>;
