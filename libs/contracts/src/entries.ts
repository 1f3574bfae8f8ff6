/** What a ledger entry records: its type, and what kind of reference explains it. */
export const entryTypes = [
  'balance_added',
  'balance_credit',
  'balance_deducted',
  'balance_debit',
  'used_for_payment',
  'refund_credit',
  'gift_card_redeemed',
  /** The bonus a paid top-up earned under the business's bonus rules (its own lot, source `bonus`). */
  'bonus_credit',
  /** What was left of a lot when it expired: breakage. */
  'balance_expired',
  /** A staff add or deduct undone (`balance.reverse`): signed against the entry it reverses. */
  'balance_reversed',
] as const;
export type EntryType = (typeof entryTypes)[number];

export const referenceTypes = ['manual', 'payment', 'refund', 'adjustment'] as const;
export type ReferenceType = (typeof referenceTypes)[number];

/**
 * What a reference can name on an entry: the command's own reference types, plus the ledger's own (`entry`: the
 * entry a reversal undoes; `lot`: the lot an expiry ended; `gift_card`: the card a redemption emptied).
 */
export const entryReferenceTypes = [...referenceTypes, 'entry', 'lot'] as const;
export type EntryReferenceType = (typeof entryReferenceTypes)[number];

/**
 * Where a unit of credit came from. Every credit creates a lot of one source; every debit draws from lots in the
 * consumption order (lots.ts: lotOrder).
 */
export const lotSources = ['paid', 'bonus', 'gift_card', 'refund', 'adjustment', 'system', 'opening'] as const;
export type LotSource = (typeof lotSources)[number];

/** Entry types a staff member may reverse (`balance.reverse`): their own adds and deducts. */
export const reversibleEntryTypes = ['balance_added', 'balance_deducted'] as const;
