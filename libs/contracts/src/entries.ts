/** What a ledger entry records: its type, and what kind of reference explains it. */
export const entryTypes = [
  'balance_added',
  'balance_credit',
  'balance_deducted',
  'balance_debit',
  'used_for_payment',
  'refund_credit',
  'gift_card_redeemed',
] as const;
export type EntryType = (typeof entryTypes)[number];

export const referenceTypes = ['manual', 'payment', 'refund', 'adjustment'] as const;
export type ReferenceType = (typeof referenceTypes)[number];
