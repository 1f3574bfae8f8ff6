/** Stable error codes users and producers see; the message is the human sentence shown beside it. */
export const errorMessages = {
  insufficient_balance: 'Insufficient balance',
  gift_card_not_found: 'Gift card not found',
  gift_card_expired: 'Gift card expired',
  gift_card_already_redeemed: 'Gift card already redeemed',
  gift_card_voided: 'Gift card has been voided',
  gift_card_exists: 'A gift card with this code already exists',
  currency_mismatch: 'Currency does not match',
  invalid_amount: 'Invalid amount',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  idempotency_conflict: 'This command id was already used with a different payload',
  refund_exceeds_payment: 'Refund exceeds what was paid with balance',
  refund_exceeds_sale: "Refunds would exceed the sale's amount",
  refund_conflict: 'This refund id was already used for a different refund',
  sale_mismatch: 'This sale belongs to another client, currency or amount',
  sale_amount_below_settled: "The sale's amount cannot be lower than what balance already paid, holds or refunds returned",
  hold_not_found: 'Hold not found',
  hold_expired: 'This hold has expired and can no longer be captured; the ledger releases its balance shortly',
  hold_already_captured: 'This hold was already captured',
  hold_already_released: 'This hold was already released',
  hold_not_expired: 'This hold has not expired yet',
  capture_exceeds_hold: 'Capture exceeds the amount on hold',
  expiry_not_in_future: 'The expiry must be in the future',
  entry_not_reversible: 'Only a staff add or deduct can be reversed',
  entry_already_reversed: 'This entry was already reversed',
  lot_consumed: 'This credit was already spent (or has expired), so it cannot be taken back',
  lot_not_found: 'Credit lot not found',
  lot_not_due: 'This credit has not expired yet',
  lot_nothing_to_expire: 'Nothing of this credit can expire now: it is spent, or held for a sale until the hold ends',
} as const;

export type ErrorCode = keyof typeof errorMessages;
export const errorCodes = Object.keys(errorMessages) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}
