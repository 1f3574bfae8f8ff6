import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { staffPrincipal as principal } from '../commands/commands.fakes';
import type { HistoryFilter } from './balances.repository';
import type { ExportEntryRow, TransactionsExportRepository } from './transactions-export.repository';
import { exportBatchRowsMax, TransactionsExportService } from './transactions-export.service';

/** The entries in key order; the filters are SQL's part (test/transactions-export.test.ts). */
class FakeExportRepository implements Pick<TransactionsExportRepository, 'actorNames' | 'entries'> {
  rows: ExportEntryRow[] = [];
  readonly reads: { after: readonly [string, string] | null; rowsMax: number }[] = [];

  async actorNames(): Promise<Map<string, string>> {
    return new Map([['staff:0190a1b2-0000-7000-8000-000000000001', 'Dana Front-Desk']]);
  }

  async entries(_businessId: string, _clientId: string, _filter: HistoryFilter, after: readonly [string, string] | null, rowsMax: number): Promise<ExportEntryRow[]> {
    this.reads.push({ after, rowsMax });
    const from = after === null ? 0 : this.rows.findIndex((row) => row.created_key === after[0] && row.id === after[1]) + 1;
    return this.rows.slice(from, from + rowsMax);
  }
}

function entry(n: number): ExportEntryRow {
  const at = new Date(Date.UTC(2026, 10, 1) + n);
  return {
    id: `0190a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    created_at: at,
    created_key: `${at.toISOString().slice(0, 23)}000Z`,
    type: 'balance_added',
    currency: 'AED',
    amount: '1.00',
    balance_after: `${n}.00`,
    reference_type: 'manual',
    reference_id: null,
    note: n === 1 ? '=1+1' : null,
    actor: 'staff:0190a1b2-0000-7000-8000-000000000001',
  };
}

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const repository = new FakeExportRepository();
  const clients = new ClientsService(clientRows as unknown as ClientsRepository);
  return { repository, exports: new TransactionsExportService(repository as unknown as TransactionsExportRepository, clients) };
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let all = '';
  for await (const chunk of stream) all += String(chunk);
  return all;
}

describe(TransactionsExportService.name, () => {
  it('streams every entry once, in batches that each start after the last one sent', async () => {
    const { repository, exports } = await service();
    repository.rows = Array.from({ length: exportBatchRowsMax * 2 + 5 }, (_, index) => entry(index + 1));
    const { fileName, stream } = await exports.csv(principal, 'client-1', {});
    const lines = (await text(stream)).trim().split('\n');
    expect(fileName).toBe('transactions-client-1.csv');
    expect(lines).toHaveLength(exportBatchRowsMax * 2 + 6);
    expect(lines[1]).toBe(`${entry(1).created_at.toISOString()},balance_added,1.00,1.00,AED,manual,,'=1+1,Dana Front-Desk,${entry(1).id}`);
    expect(repository.reads.map((read) => read.after?.[1] ?? null)).toEqual([null, entry(exportBatchRowsMax).id, entry(exportBatchRowsMax * 2).id]);
  });

  it('answers 404 for a client the business does not have, before any byte is sent', async () => {
    const { repository, exports } = await service();
    await expect(exports.csv({ ...principal, businessId: 'salon-2' }, 'client-1', {})).rejects.toMatchObject({ code: 'not_found' });
    expect(repository.reads).toEqual([]);
  });
});
