import { errorMessages, type ErrorBody, type ErrorCode } from '@storecredit/contracts';

/**
 * An operating error: the command is valid but the ledger refuses it (insufficient balance, expired card).
 * It is answered and stored as the command's outcome; it is not a failure of the worker.
 */
export class LedgerRejection extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: Record<string, unknown>,
    message: string = errorMessages[code],
  ) {
    super(message);
    this.name = 'LedgerRejection';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
