import { acceptingEveryCurrency } from '../settings/business-currencies.fakes';
import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { fakeCommandPath, refusalOf, rejectedReply, staffPrincipal as principal } from '../commands/commands.fakes';
import type { BalancesRepository, EntryLotsRow, EntryRow, HistoryFilter, WalletRow } from './balances.repository';
import { BalancesService } from './balances.service';

/** The client's wallets and entries as the read queries return them; filtering by type and date is SQL's part. */
class FakeBalancesRepository implements Pick<BalancesRepository, 'wallets' | 'entries' | 'entryLots' | 'hasEntry'> {
  wallets_: WalletRow[] = [];
  entries_: EntryRow[] = [];
  lots_: EntryLotsRow[] = [];
  readonly entryReads: { filter: HistoryFilter; after: readonly [string, string] | null; rowsMax: number }[] = [];
  readonly lotReads: string[][] = [];

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

  async entryLots(_businessId: string, entryIds: readonly string[]): Promise<EntryLotsRow[]> {
    this.lotReads.push([...entryIds]);
    return this.lots_.filter((row) => entryIds.includes(row.entry_id));
  }

  async hasEntry(businessId: string, clientId: string, entryId: string): Promise<boolean> {
    return (await this.clients.exists(businessId, clientId)) && this.entries_.some((row) => row.id === entryId);
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
    reverses_entry_id: null,
    bonus_tier: null,
  };
}

const noneExpiring = { expiring_soon: '0', next_expiry_at: null };

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const repository = new FakeBalancesRepository(clientRows);
  const path = fakeCommandPath();
  const clients = new ClientsService(clientRows as unknown as ClientsRepository);
  return { repository, ...path, balances: new BalancesService(repository as unknown as BalancesRepository, clients, path.submitter, acceptingEveryCurrency()) };
}

const change = { amount: '25.50', currency: 'AED', referenceType: 'manual' as const };

describe(BalancesService.name, () => {
  it('says whether each wallet has a balance, and answers a currency never held as zero in its own decimals', async () => {
    const { repository, balances } = await service();
    repository.wallets_ = [
      { wallet_id: 'w-1', currency: 'AED', balance: '0.00', held: '0', updated_at: new Date('2026-12-01T10:00:00Z'), ...noneExpiring },
      { wallet_id: 'w-2', currency: 'KWD', balance: '1.250', held: '0.5', updated_at: new Date('2026-12-01T11:00:00Z'), ...noneExpiring },
    ];
    expect((await balances.all(principal, 'client-1')).items.map((wallet) => [wallet.currency, wallet.hasBalance])).toEqual([
      ['AED', false],
      ['KWD', true],
    ]);
    expect(await balances.one(principal, 'client-1', 'JPY')).toEqual({
      walletId: null,
      currency: 'JPY',
      balance: '0',
      held: '0',
      available: '0',
      hasBalance: false,
      updatedAt: null,
      expiringSoon: { amount: '0', firstExpiresAt: null },
    });
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

  it('says how much credit expires soon, and when the first of it does', async () => {
    const { repository, balances } = await service();
    repository.wallets_ = [
      { wallet_id: 'w-1', currency: 'KWD', balance: '10', held: '0', updated_at: new Date('2026-12-01T10:00:00Z'), expiring_soon: '2.5', next_expiry_at: new Date('2026-12-20T00:00:00Z') },
    ];
    expect((await balances.one(principal, 'client-1', 'KWD')).expiringSoon).toEqual({ amount: '2.500', firstExpiresAt: '2026-12-20T00:00:00.000Z' });
  });

  it('gives each entry of a page its lots, what it drew from and its reversal, read in one query for the page', async () => {
    const { repository, balances } = await service();
    repository.entries_ = [1, 2, 3].map(entry);
    repository.entries_[0] = { ...repository.entries_[0], type: 'balance_reversed', amount: '-10.00', reverses_entry_id: repository.entries_[1].id };
    repository.lots_ = [
      {
        entry_id: repository.entries_[1].id,
        lots: [{ lotId: 'lot-1', source: 'adjustment', amount: '10', remaining: '0', expiresAt: '2026-12-31T00:00:00+00:00', restoredFrom: null }],
        allocations: [],
        reversed_by_entry_id: repository.entries_[0].id,
      },
      {
        entry_id: repository.entries_[0].id,
        lots: [],
        allocations: [{ lotId: 'lot-1', source: 'adjustment', amount: '10', expiresAt: '2026-12-31T00:00:00+00:00' }],
        reversed_by_entry_id: null,
      },
    ];
    const page = await balances.history(principal, 'client-1', { limit: 2 });
    expect(repository.lotReads).toEqual([[repository.entries_[0].id, repository.entries_[1].id]]);
    expect(page.items.map(({ type, lots, allocations, reversesEntryId, reversedByEntryId }) => ({ type, lots, allocations, reversesEntryId, reversedByEntryId }))).toEqual([
      {
        type: 'balance_reversed',
        lots: [],
        allocations: [{ lotId: 'lot-1', source: 'adjustment', amount: '10.00', expiresAt: '2026-12-31T00:00:00.000Z' }],
        reversesEntryId: repository.entries_[1].id,
        reversedByEntryId: null,
      },
      {
        type: 'balance_added',
        lots: [{ lotId: 'lot-1', source: 'adjustment', amount: '10.00', remaining: '0.00', expiresAt: '2026-12-31T00:00:00.000Z', restoredFrom: null }],
        allocations: [],
        reversesEntryId: null,
        reversedByEntryId: repository.entries_[0].id,
      },
    ]);
  });

  it('sends an add’s expiry in the command, and never one on a deduction', async () => {
    const { balances, transport } = await service();
    await balances.change('balance.add', principal, 'client-1', { ...change, expiresAt: '2027-01-31T00:00:00+04:00' }, undefined);
    await balances.change('balance.deduct', principal, 'client-1', { ...change, expiresAt: '2027-01-31T00:00:00+04:00' }, undefined);
    expect(transport.sent.map((command) => [command.type, 'expiresAt' in command ? command.expiresAt : undefined])).toEqual([
      ['balance.add', '2027-01-31T00:00:00+04:00'],
      ['balance.deduct', undefined],
    ]);
  });

  it('sends a reversal of the client’s own entry as the contract’s command, with the note saying why', async () => {
    const { repository, balances, transport } = await service();
    repository.entries_ = [entry(1)];
    const submitted = await balances.reverse(principal, 'client-1', entry(1).id, { currency: 'AED', note: 'Added to the wrong client' }, 'key-9');
    expect(submitted.httpStatus).toBe(200);
    expect(transport.sent).toEqual([
      expect.objectContaining({
        type: 'balance.reverse',
        commandId: expect.stringMatching(/^http-[0-9a-f]{40}$/),
        businessId: principal.businessId,
        clientId: 'client-1',
        currency: 'AED',
        entryId: entry(1).id,
        note: 'Added to the wrong client',
        actor: { kind: 'staff', id: principal.id },
      }),
    ]);
  });

  it('refuses to reverse an entry that is not the client’s, another business’s, or not an entry id, sending nothing', async () => {
    const { repository, balances, transport } = await service();
    repository.entries_ = [entry(1)];
    const reversal = { currency: 'AED', note: 'why' };
    expect(await refusalOf(balances.reverse(principal, 'client-1', entry(2).id, reversal, undefined))).toEqual({ code: 'not_found' });
    expect(await refusalOf(balances.reverse(principal, 'client-1', 'not-an-entry', reversal, undefined))).toEqual({ code: 'not_found' });
    expect(await refusalOf(balances.reverse({ ...principal, businessId: 'salon-2' }, 'client-1', entry(1).id, reversal, undefined))).toEqual({ code: 'not_found' });
    expect(transport.sent).toEqual([]);
  });

  it('answers the ledger’s refusal of a reversal with its own code', async () => {
    const { repository, balances, transport } = await service();
    repository.entries_ = [entry(1)];
    transport.answer = (command) => rejectedReply(command, 'lot_consumed');
    expect(await refusalOf(balances.reverse(principal, 'client-1', entry(1).id, { currency: 'AED', note: 'why' }, undefined))).toMatchObject({ code: 'lot_consumed' });
  });
});
