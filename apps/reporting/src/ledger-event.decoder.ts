import { eventSchema, walletKey, type LedgerEvent } from '@storecredit/contracts';
import { z } from 'zod';
import { isWalletEvent } from './read-model/sequence-rules';

/** A signed decimal string as the ledger writes amounts on events ("-12.50", "0.00"); numeric takes it as it is. */
const signedDecimalPattern = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** The largest sequence a wallet reaches: the ledger keeps it in a PostgreSQL integer, as the read model does. */
export const sequenceMax = 2_147_483_647;

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
  // The ledger counts a wallet's entries in a PostgreSQL integer and never writes a NUL character (its commands refuse
  // one): an event beyond either is not the ledger's, and would fail in the read model's columns on every delivery.
  const sequence = event.type === 'wallet.entry_recorded' ? event.sequence : event.afterSequence;
  if (sequence > sequenceMax) return { ok: false, reason: `its sequence ${sequence} is beyond any the ledger writes (${sequenceMax})` };
  if (holdsNul(event)) return { ok: false, reason: 'it holds a NUL character, which the ledger never writes' };
  const expected = walletKey(event.businessId, event.clientId, event.currency);
  if (key !== expected) return { ok: false, reason: `keyed ${JSON.stringify(key)}, not by its wallet ${JSON.stringify(expected)}` };
  return { ok: true, event };
}

/** Whether any string in the value, a key or a text, holds a NUL character (PostgreSQL's text and jsonb refuse one). */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  return false;
}
