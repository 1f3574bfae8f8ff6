import { errorMessages, type ErrorBody, type ErrorCode } from '@storecredit/contracts';

/** Codes of the HTTP edge, beside the ledger's own (DESIGN.md). */
export const httpErrorMessages = {
  ...errorMessages,
  unauthenticated: 'Sign in first',
  invalid_credentials: 'Email or password is incorrect',
  invalid_request: 'The request is not valid',
  invalid_cursor: 'The cursor is not valid; start again from the first page',
  malformed_json: 'The request body is not valid JSON',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Send the request body as JSON (Content-Type: application/json)',
  cross_site_request: 'This change must be made from the storecredit app itself, not from another site',
  too_many_requests: 'Too many failed attempts; try again later',
  weak_password: 'The password is too weak',
  last_owner: 'A business keeps at least one active owner',
  ledger_unavailable: 'The ledger cannot be reached right now; retry with the same Idempotency-Key',
  internal_error: 'Something went wrong on our side',
  client_exists: 'A client with this external id already exists',
  invalid_host: 'This server does not answer to that host name',
  currency_not_supported: 'This is not a currency the ledger knows',
  default_not_accepted: 'The default currency must be one of the accepted currencies',
  accepted_empty: 'Accept at least one currency',
  currency_not_accepted: 'The business does not accept this currency for new credit',
  unknown_preference: 'Language must be en or ar, and digits latn or arab',
} as const;

export type HttpErrorCode = keyof typeof httpErrorMessages;

/** HTTP status per error code: a user's mistake is always a 4xx. */
export const statusByCode: Record<HttpErrorCode, number> = {
  insufficient_balance: 422,
  gift_card_not_found: 404,
  gift_card_expired: 422,
  gift_card_already_redeemed: 409,
  gift_card_voided: 422,
  gift_card_exists: 409,
  currency_mismatch: 422,
  invalid_amount: 400,
  forbidden: 403,
  not_found: 404,
  idempotency_conflict: 409,
  refund_exceeds_payment: 422,
  refund_exceeds_sale: 422,
  refund_conflict: 409,
  sale_mismatch: 409,
  sale_amount_below_settled: 422,
  hold_not_found: 404,
  hold_expired: 409,
  hold_already_captured: 409,
  hold_already_released: 409,
  hold_not_expired: 409,
  capture_exceeds_hold: 422,
  expiry_not_in_future: 400,
  entry_not_reversible: 422,
  entry_already_reversed: 409,
  lot_consumed: 409,
  lot_not_found: 404,
  lot_not_due: 409,
  lot_nothing_to_expire: 409,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_request: 400,
  invalid_cursor: 400,
  malformed_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  cross_site_request: 403,
  too_many_requests: 429,
  weak_password: 400,
  last_owner: 409,
  ledger_unavailable: 503,
  internal_error: 500,
  client_exists: 409,
  invalid_host: 421,
  currency_not_supported: 400,
  default_not_accepted: 400,
  accepted_empty: 400,
  currency_not_accepted: 422,
  unknown_preference: 422,
};

export interface ApiErrorBody {
  code: HttpErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Thrown by controllers and guards; the exception filter turns it into `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    readonly details?: Record<string, unknown>,
    message: string = httpErrorMessages[code],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return statusByCode[this.code];
  }

  body(): ApiErrorBody {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }

  static fromLedger(error: Pick<ErrorBody, 'message' | 'details'> & { code: string }): ApiError {
    const code = (error.code in statusByCode ? error.code : 'internal_error') as ErrorCode;
    return new ApiError(code, error.details, error.message);
  }
}
