import { normalizeGiftCardCode, type EntryType, type GiftCardDisplayStatus, type ReferenceType } from '@storecredit/contracts';

/**
 * The product's own words for the contract's entry types, reference types and gift card statuses. Keyed by the
 * contract's types: a type added there and not named here fails the type check.
 */
export const entryTypeLabels: Record<EntryType, string> = {
  balance_added: 'Balance Added',
  balance_credit: 'Balance Credit',
  balance_deducted: 'Balance Deducted',
  balance_debit: 'Balance Debit',
  used_for_payment: 'Used for Payment',
  refund_credit: 'Refund',
  gift_card_redeemed: 'Gift Card Redeemed',
};

export const giftCardStatusLabels: Record<GiftCardDisplayStatus, string> = {
  active: 'Active',
  redeemed: 'Redeemed',
  expired: 'Expired',
  void: 'Void',
};

export const referenceTypeLabels: Record<ReferenceType, string> = {
  manual: 'Manual',
  payment: 'Payment',
  refund: 'Refund',
  adjustment: 'Adjustment',
};

/** A redemption names its card by the last four characters the gateway gives, never by the card's id. */
export function referenceLabel(entry: { reference: { type: ReferenceType; id: string | null }; giftCardLast4?: string | null }): string {
  if (entry.giftCardLast4) return `Gift card ····${entry.giftCardLast4}`;
  const type = referenceTypeLabels[entry.reference.type];
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
  return normalizeGiftCardCode(code).replace(/(.{4})(?=.)/g, '$1-');
}
