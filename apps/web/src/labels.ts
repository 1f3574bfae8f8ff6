/** The product's own words for ledger entry types and reference types. */
export const entryTypeLabels = {
  balance_added: 'Balance Added',
  balance_credit: 'Balance Credit',
  balance_deducted: 'Balance Deducted',
  balance_debit: 'Balance Debit',
  used_for_payment: 'Used for Payment',
  refund_credit: 'Refund',
  gift_card_redeemed: 'Gift Card Redeemed',
} as const;

export type EntryType = keyof typeof entryTypeLabels;
export const entryTypes = Object.keys(entryTypeLabels) as EntryType[];

export function entryTypeLabel(type: string): string {
  return type in entryTypeLabels ? entryTypeLabels[type as EntryType] : type;
}

export const referenceTypes = ['manual', 'payment', 'refund', 'adjustment'] as const;
export type ReferenceType = (typeof referenceTypes)[number];

export const referenceTypeLabels: Record<ReferenceType, string> = {
  manual: 'Manual',
  payment: 'Payment',
  refund: 'Refund',
  adjustment: 'Adjustment',
};

/** A redemption names its card by the last four characters the gateway gives, never by the card's id. */
export function referenceLabel(entry: { reference: { type: string; id: string | null }; giftCardLast4?: string | null }): string {
  if (entry.giftCardLast4) return `Gift card ····${entry.giftCardLast4}`;
  const type = referenceTypeLabels[entry.reference.type as ReferenceType] ?? entry.reference.type;
  return entry.reference.id ? `${type} · ${entry.reference.id}` : type;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

/** Gift card codes are read aloud in groups of four. */
export function groupCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase().replace(/(.{4})(?=.)/g, '$1-');
}
