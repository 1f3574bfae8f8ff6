import { eventSchema, walletKey, type LedgerEvent } from '@storecredit/contracts';
import { z } from 'zod';
import { isWalletEvent } from './read-model/sequence-rules';

/** A signed decimal string as the ledger writes amounts on events ("-12.50", "0.00"); numeric takes it as it is. */
const signedDecimalPattern = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export type Decoded = { ok: true; event: LedgerEvent } | { ok: false; reason: string };

/**
 * Reads one message of the event topic as the contract's event. What can never be applied (not JSON, another
 * shape, an amount that is no decimal, a wallet event under another wallet's key, whose order the partition would
 * not keep) is refused with the reason, for the caller to log and keep.
 */
export function decodeLedgerEvent(value: unknown, key: string | null): Decoded {
  // Nest's Kafka parser leaves a value that is not a JSON object or array as a string or a Buffer.
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not a ledger event: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}` };
  const event = parsed.data;
  if (!isWalletEvent(event)) return { ok: true, event };
  const amounts = event.type === 'wallet.entry_recorded' ? { amount: event.amount, balanceAfter: event.balanceAfter } : { balanceAfter: event.balanceAfter, heldAfter: event.heldAfter };
  for (const [field, amount] of Object.entries(amounts)) {
    if (!signedDecimalPattern.test(amount)) return { ok: false, reason: `${field} is not a decimal string: ${JSON.stringify(amount)}` };
  }
  const expected = walletKey(event.businessId, event.clientId, event.currency);
  if (key !== expected) return { ok: false, reason: `keyed ${JSON.stringify(key)}, not by its wallet ${JSON.stringify(expected)}` };
  return { ok: true, event };
}
