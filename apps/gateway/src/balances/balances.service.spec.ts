import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { fakeCommandPath, refusalOf, staffPrincipal as principal } from '../commands/commands.fakes';
import type { BalancesRepository, EntryRow, HistoryFilter, WalletRow } from './balances.repository';
import { BalancesService } from './balances.service';

/** The client's wallets and entries as the read queries return them; filtering by type and date is SQL's part. */
class FakeBalancesRepository implements Pick<BalancesRepository, 'wallets' | 'entries'> {
  wallets_: WalletRow[] = [];
  entries_: EntryRow[] = [];
  readonly entryReads: { filter: HistoryFilter; after: readonly [string, string] | null; rowsMax: number }[] = [];

  constructor(private readonly clients: FakeClientsRepository) {}

  async wallets(businessId: string, clientId: string, currency?: string): Promise<WalletRow[] | null> {
    if (!(await this.clients.exists(businessId, clientId))) return null;
    return this.wallets_.filter((wallet) => currency === undefined || wallet.currency === currency);
  }

  async entries(businessId: string, clientId: string, filter: HistoryFilter, after: readonly [string, string] | null, rowsMax: number): Promise<EntryRow[] | null> {
    this.entryReads.push({ filter, after, rowsMax });
    if (!(await this.clients.exists(businessId, clientId))) return null;
    const isAfter = (row: EntryRow) => after === null || new Date(row.created_at).toISOString() < after[0];
    return this.entries_.filter(isAfter).slice(0, rowsMax);
  }
}

function entry(n: number): EntryRow {
  return {
    id: `0190a1b2-0000-7000-8000-00000000000${n}`,
    created_at: new Date(Date.UTC(2026, 11, 1, 10, 10 - n)),
    type: 'balance_added',
    currency: 'AED',
    amount: '10.00',
    balance_after: `${10 * (10 - n)}.00`,
    reference_type: 'manual',
    reference_id: null,
    note: null,
    actor: 'staff:demo-seed',
    actor_name: null,
    gift_card_last4: null,
    command_id: `cmd-${n}`,
    sequence: 10 - n,
  };
}

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const repository = new FakeBalancesRepository(clientRows);
  const path = fakeCommandPath();
  const clients = new ClientsService(clientRows as unknown as ClientsRepository);
  return { repository, ...path, balances: new BalancesService(repository as unknown as BalancesRepository, clients, path.submitter) };
}

const change = { amount: '25.50', currency: 'AED', referenceType: 'manual' as const };

describe(BalancesService.name, () => {
  it('says whether each wallet has a balance, and answers a currency never held as zero in its own decimals', async () => {
    const { repository, balances } = await service();
    repository.wallets_ = [
      { wallet_id: 'w-1', currency: 'AED', balance: '0.00', held: '0', updated_at: new Date('2026-12-01T10:00:00Z') },
      { wallet_id: 'w-2', currency: 'KWD', balance: '1.250', held: '0.5', updated_at: new Date('2026-12-01T11:00:00Z') },
    ];
    expect((await balances.all(principal, 'client-1')).items.map((wallet) => [wallet.currency, wallet.hasBalance])).toEqual([
      ['AED', false],
      ['KWD', true],
    ]);
    expect(await balances.one(principal, 'client-1', 'JPY')).toEqual({ walletId: null, currency: 'JPY', balance: '0', held: '0', available: '0', hasBalance: false, updatedAt: null });
    // What holds reserve is shown beside the balance, and available is what is left to spend, in the currency's decimals.
    expect(await balances.one(principal, 'client-1', 'KWD')).toMatchObject({ walletId: 'w-2', balance: '1.250', held: '0.500', available: '0.750', updatedAt: '2026-12-01T11:00:00.000Z' });
  });

  it('does not find another business’s client', async () => {
    const { balances } = await service();
    const other = { ...principal, businessId: 'salon-2' };
    expect(await refusalOf(balances.all(other, 'client-1'))).toEqual({ code: 'not_found' });
    expect(await refusalOf(balances.one(other, 'client-1', 'AED'))).toEqual({ code: 'not_found' });
    expect(await refusalOf(balances.history(other, 'client-1', { limit: 10 }))).toEqual({ code: 'not_found' });
  });

  it('pages the history newest first and names the actor without a piece of an id', async () => {
    const { repository, balances } = await service();
    repository.entries_ = [1, 2, 3].map(entry);
    const first = await balances.history(principal, 'client-1', { limit: 2, type: ['balance_added'], from: '2026-12-01T00:00:00Z' });
    expect(first.items.map((item) => [item.commandId, item.actorName])).toEqual([
      ['cmd-1', 'Demo data'],
      ['cmd-2', 'Demo data'],
    ]);
    expect(repository.entryReads[0]).toEqual({
      filter: { currency: undefined, types: ['balance_added'], from: new Date('2026-12-01T00:00:00Z'), to: undefined },
      after: null,
      rowsMax: 3,
    });
    const second = await balances.history(principal, 'client-1', { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((item) => item.commandId)).toEqual(['cmd-3']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a forged cursor before reading anything', async () => {
    const { repository, balances } = await service();
    const forged = Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000Z', 'x'])).toString('base64url');
    expect(await refusalOf(balances.history(principal, 'client-1', { limit: 2, cursor: forged }))).toMatchObject({ code: 'invalid_cursor' });
    expect(repository.entryReads).toEqual([]);
  });

  it('sends an add as the contract’s command, by the caller, with the reference given', async () => {
    const { balances, transport } = await service();
    const submitted = await balances.change('balance.add', principal, 'client-1', { ...change, referenceType: 'adjustment', referenceId: 'bk-7', note: 'gift' }, 'key-1');
    expect(submitted.httpStatus).toBe(200);
    expect(transport.sent).toEqual([
      expect.objectContaining({
        type: 'balance.add',
        commandId: expect.stringMatching(/^http-[0-9a-f]{40}$/),
        businessId: principal.businessId,
        clientId: 'client-1',
        amount: '25.50',
        note: 'gift',
        reference: { type: 'adjustment', id: 'bk-7' },
        actor: { kind: 'staff', id: principal.id },
      }),
    ]);
  });

  it('refuses an amount finer than the currency allows before looking the client up (400, not 404)', async () => {
    const { balances, transport } = await service();
    expect(await refusalOf(balances.change('balance.deduct', principal, 'no-such-client', { ...change, amount: '1.005' }, undefined))).toMatchObject({
      code: 'invalid_amount',
    });
    expect(await refusalOf(balances.change('balance.deduct', principal, 'no-such-client', change, undefined))).toEqual({ code: 'not_found' });
    expect(transport.sent).toEqual([]);
  });
});
