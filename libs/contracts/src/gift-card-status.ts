/** What the ledger stores: a card is active until it is redeemed or voided. */
export const giftCardStatuses = ['active', 'redeemed', 'void'] as const;
export type GiftCardStatus = (typeof giftCardStatuses)[number];

/** What a person sees: an active card past its expiry is expired (nothing is stored when a card expires). */
export const giftCardDisplayStatuses = ['active', 'redeemed', 'expired', 'void'] as const;
export type GiftCardDisplayStatus = (typeof giftCardDisplayStatuses)[number];

export interface GiftCardState {
  status: GiftCardStatus;
  expiresAt: Date | string | null;
}

/** A card expires at the instant of its expiresAt: from then on it cannot be redeemed. */
export function isGiftCardExpired(card: Pick<GiftCardState, 'expiresAt'>, now: Date): boolean {
  return card.expiresAt !== null && new Date(card.expiresAt).getTime() <= now.getTime();
}

export function giftCardDisplayStatus(card: GiftCardState, now: Date): GiftCardDisplayStatus {
  return card.status === 'active' && isGiftCardExpired(card, now) ? 'expired' : card.status;
}

/** Only an unspent card can be voided, expired or not: a redeemed card's value is already in a wallet. */
export function isGiftCardVoidable(card: Pick<GiftCardState, 'status'>): boolean {
  return card.status === 'active';
}

/** One card in the gateway's list (GET /api/gift-cards): the status and whether it can be voided are the server's. */
export interface GiftCardListItem {
  id: string;
  last4: string;
  amount: string;
  currency: string;
  status: GiftCardDisplayStatus;
  voidable: boolean;
  expiresAt: string | null;
  redeemedAt: string | null;
  redeemedClientId: string | null;
  voidedAt: string | null;
  issuedAt: string;
}
