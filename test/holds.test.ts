import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { holdIdOf, type Command, type WalletResult } from '@storecredit/contracts';
import { LedgerExpiry, LedgerCommands, LedgerModule, LedgerVerifier, expireHoldCommandId } from '@storecredit/ledger';
import { command, createTestDatabase, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';

const businessId = 'salon-1';

/** Holds on PostgreSQL: expiry by the sweep, and the races the issue names, between two ledgers (two workers). */
describe('holds on PostgreSQL', () => {
  let db: TestDatabase;
  const clocks = [new TestClock(), new TestClock()];
  let apps: INestApplicationContext[];

  beforeAll(async () => {
    db = await createTestDatabase();
    apps = await Promise.all(
      clocks.map(async (clock) => (await Test.createTestingModule({ imports: [LedgerModule.forRoot({ databaseUrl: db.url, clock })] }).compile()).init()),
    );
  });

  afterAll(async () => {
    await Promise.all((apps ?? []).map((app) => app.close()));
    await db?.drop();
  });

  afterEach(async () => {
    expect((await apps[0].get(LedgerVerifier).verify()).problems).toEqual([]);
  });

  const ledger = (index = 0) => apps[index].get(LedgerCommands);
  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  async function funded(amount: string): Promise<string> {
    const clientId = uniqueId('client');
    await ledger().apply(command('balance.add', { ...wallet(clientId), amount }));
    return clientId;
  }
  async function hold(clientId: string, amountOwed: string, expiresInSeconds = 600): Promise<{ holdId: string; result: WalletResult }> {
    const placed = command('balance.hold', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed, expiresInSeconds });
    const { reply } = await ledger().apply(placed);
    expect(reply.status).toBe('applied');
    return { holdId: holdIdOf(businessId, placed.commandId), result: reply.result as WalletResult };
  }
  const walletRow = async (clientId: string) =>
    (await db.query<{ balance: string; held: string }>('select balance::text, held::text from wallet where client_id = $1', [clientId]))[0];
  const codeOf = ({ reply }: { reply: { status: string; error?: { code: string } } }) => reply.error?.code ?? reply.status;

  it('holds part of the balance: a deduct sees only what is available; a release gives it back', async () => {
    const clientId = await funded('100.00');
    const { holdId, result } = await hold(clientId, '70.00');
    expect(result).toMatchObject({ amountHeld: '70.00', available: '30.00', hold: { holdId, status: 'active' } });
    expect(await walletRow(clientId)).toEqual({ balance: '100.00', held: '70.00' });
    // A hold changes the wallet now, not in 1970.
    const [{ updated_at }] = await db.query<{ updated_at: Date }>('select updated_at from wallet where client_id = $1', [clientId]);
    expect(Math.abs(new Date(updated_at).getTime() - Date.now())).toBeLessThan(60_000);
    expect(codeOf(await ledger().apply(command('balance.deduct', { ...wallet(clientId), amount: '30.01' })))).toBe('insufficient_balance');
    expect(codeOf(await ledger().apply(command('balance.release', { ...wallet(clientId), holdId })))).toBe('applied');
    expect(codeOf(await ledger().apply(command('balance.deduct', { ...wallet(clientId), amount: '100.00' })))).toBe('applied');
    // The database itself refuses a hold above the balance, whatever the code does.
    await expect(db.query('update wallet set held = balance + 1 where client_id = $1', [clientId])).rejects.toThrow(/wallet_held_within_balance/);
  });

  it('expires a hold past its expiry through the sweep, once however many sweeps run; a late capture is refused', async () => {
    const clientId = await funded('50.00');
    const { holdId } = await hold(clientId, '20.00', 60);
    const expiry = apps[0].get(LedgerExpiry);
    const mine = (commands: Command[]) => commands.filter((next) => 'holdId' in next && next.holdId === holdId);
    expect(mine(await expiry.due())).toEqual([]);
    clocks.forEach((clock) => clock.advance(61_000));
    try {
      // Past its expiry and not yet swept: a capture is refused, and nothing changes.
      expect(codeOf(await ledger().apply(command('balance.capture', { ...wallet(clientId), holdId })))).toBe('hold_expired');
      expect(await walletRow(clientId)).toEqual({ balance: '50.00', held: '20.00' });
      const due = mine(await expiry.due());
      expect(due).toEqual([expect.objectContaining({ type: 'balance.expire-hold', commandId: expireHoldCommandId(holdId), holdId, clientId })]);
      // Two sweeps at once (two workers): the same command id, applied once.
      const outcomes = await Promise.all([ledger(0).applyGroup(due), ledger(1).applyGroup(due)]);
      expect(outcomes.flat().map(codeOf)).toEqual(['applied', 'applied']);
      expect(outcomes.flat().filter((outcome) => !outcome.replayed)).toHaveLength(1);
      expect(await walletRow(clientId)).toEqual({ balance: '50.00', held: '0.00' });
      expect(mine(await expiry.due())).toEqual([]);
      const [row] = await db.query<{ status: string; ended_by: string }>('select status, ended_by from balance_hold where hold_id = $1', [holdId]);
      expect(row).toEqual({ status: 'expired', ended_by: expireHoldCommandId(holdId) });
    } finally {
      clocks.forEach((clock) => clock.advance(-61_000));
    }
  });

  it('has verify report a hold left active well past its expiry (a sweep that is not running)', async () => {
    const clientId = await funded('30.00');
    clocks[0].advance(-200_000);
    let holdId: string;
    try {
      ({ holdId } = await hold(clientId, '10.00', 60));
    } finally {
      clocks[0].advance(200_000);
    }
    const report = await apps[0].get(LedgerVerifier).verify();
    expect(report.problems).toEqual([expect.objectContaining({ check: expect.stringMatching(/hold still active a minute after its expiry/), examples: [expect.objectContaining({ hold_id: holdId })] })]);
    expect(codeOf(await ledger().apply(command('balance.expire-hold', { ...wallet(clientId), holdId, commandId: expireHoldCommandId(holdId) })))).toBe('applied');
  });

  it('lets exactly one of a capture and the expiry win when they race', async () => {
    const winners: string[] = [];
    for (let round = 0; round < 6; round++) {
      const clientId = await funded('40.00');
      const { holdId } = await hold(clientId, '25.00', 30);
      // The capturing worker's clock is just before the expiry, the sweeping worker's just after.
      clocks[0].advance(29_000);
      clocks[1].advance(31_000);
      try {
        const [captured, expired] = await Promise.all([
          ledger(0).apply(command('balance.capture', { ...wallet(clientId), holdId })),
          ledger(1).apply(command('balance.expire-hold', { ...wallet(clientId), holdId, commandId: expireHoldCommandId(holdId) })),
        ]);
        const codes = [codeOf(captured), codeOf(expired)];
        expect(codes.filter((code) => code === 'applied')).toHaveLength(1);
        expect(codes).toEqual(expect.arrayContaining([expect.stringMatching(/^(applied|hold_expired|hold_already_captured)$/)]));
        winners.push(codeOf(captured) === 'applied' ? 'capture' : 'expiry');
        const [row] = await db.query<{ status: string }>('select status from balance_hold where hold_id = $1', [holdId]);
        expect(row.status).toBe(codeOf(captured) === 'applied' ? 'captured' : 'expired');
        expect(await walletRow(clientId)).toEqual(codeOf(captured) === 'applied' ? { balance: '15.00', held: '0.00' } : { balance: '40.00', held: '0.00' });
      } finally {
        clocks[0].advance(-29_000);
        clocks[1].advance(-31_000);
      }
    }
    expect(winners).toHaveLength(6);
  });

  it('lets exactly one of two captures with different ids take the hold; the other is told it was captured', async () => {
    for (let round = 0; round < 6; round++) {
      const clientId = await funded('60.00');
      const { holdId } = await hold(clientId, '45.00');
      const outcomes = await Promise.all([
        ledger(0).apply(command('balance.capture', { ...wallet(clientId), holdId, amount: '45.00' })),
        ledger(1).apply(command('balance.capture', { ...wallet(clientId), holdId, amount: '10.00' })),
      ]);
      expect(outcomes.map(codeOf).sort()).toEqual(['applied', 'hold_already_captured']);
      const entries = await db.query<{ amount: string }>(`select amount::text from ledger_entry where client_id = $1 and type = 'used_for_payment'`, [clientId]);
      expect(entries).toHaveLength(1);
      const taken = Number(entries[0].amount);
      expect(await walletRow(clientId)).toEqual({ balance: (60 + taken).toFixed(2), held: '0.00' });
    }
  });

  it('never lets holds and payments of one sale take more than the sale', async () => {
    const clientId = await funded('500.00');
    const saleId = uniqueId('sale');
    const first = await ledger().apply(command('balance.hold', { ...wallet(clientId), saleId, amountOwed: '80.00', saleAmount: '100.00' }));
    const paid = await ledger().apply(command('balance.pay', { ...wallet(clientId), saleId, amountOwed: '100.00', saleAmount: '100.00' }));
    const second = await ledger().apply(command('balance.hold', { ...wallet(clientId), saleId, amountOwed: '100.00', saleAmount: '100.00' }));
    expect((first.reply.result as WalletResult).amountHeld).toBe('80.00');
    expect((paid.reply.result as WalletResult).amount).toBe('20.00');
    expect((second.reply.result as WalletResult).amountHeld).toBe('0.00');
    await expect(db.query('update sale set held = amount where sale_id = $1', [saleId])).rejects.toThrow(/sale_held_within_amount/);
  });
});
