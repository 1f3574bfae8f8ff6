import { walletKey, type EntryRecorded } from '@storecredit/contracts';
import { decodeLedgerEvent } from './ledger-event.decoder';

const event: EntryRecorded = {
  schemaVersion: 1,
  type: 'wallet.entry_recorded',
  eventId: 'event-1',
  businessId: 'salon-1',
  clientId: 'client-1',
  currency: 'AED',
  walletId: 'wallet-1',
  sequence: 3,
  entryType: 'balance_deducted',
  amount: '-12.50',
  balanceAfter: '7.50',
  reference: { type: 'manual', id: null },
  note: null,
  actor: 'staff:owner',
  commandId: 'command-1',
  occurredAt: '2026-12-02T10:00:00.000Z',
};
const key = walletKey('salon-1', 'client-1', 'AED');

describe(decodeLedgerEvent.name, () => {
  it('reads a wallet event under its wallet key', () => {
    expect(decodeLedgerEvent(event, key)).toEqual({ ok: true, event });
  });

  it('refuses what Nest could not parse as a JSON object', () => {
    expect(decodeLedgerEvent('not json {', key)).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(decodeLedgerEvent(Buffer.from([0, 1]), key)).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(decodeLedgerEvent(null, key)).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(decodeLedgerEvent([event], key)).toEqual({ ok: false, reason: 'not a JSON object' });
  });

  it('refuses another shape, naming the field', () => {
    const decoded = decodeLedgerEvent({ ...event, sequence: 0 }, key);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toContain('sequence');
  });

  it('refuses an amount that is no decimal string', () => {
    expect(decodeLedgerEvent({ ...event, amount: '1e3' }, key)).toEqual({ ok: false, reason: 'amount is not a decimal string: "1e3"' });
    expect(decodeLedgerEvent({ ...event, balanceAfter: '' }, key)).toEqual({ ok: false, reason: 'balanceAfter is not a decimal string: ""' });
  });

  it("refuses a wallet event under another key, whose order its wallet's partition would not keep", () => {
    const decoded = decodeLedgerEvent(event, 'salon-1/client-2/AED');
    expect(decoded.ok).toBe(false);
    expect(decodeLedgerEvent(event, null).ok).toBe(false);
  });
});
