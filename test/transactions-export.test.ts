import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { writeWallet } from './support/credit-ledger';

const header = 'date,type,amount,balance after,currency,reference type,reference id,note,actor,entry id';
/** Rows of the long export: enough that a whole-history-in-memory export would show, quick to write with one INSERT. */
const longHistoryRows = 50_000;

/** GET /api/clients/:id/transactions.csv against real PostgreSQL: content, escaping, filters, permissions, a long stream. */
describe('transactions CSV export', () => {
  let stack: LedgerStack;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ app, http } = stack);
    biz = await seedBusiness(app, permissions);
    await writeWallet(stack.db, {
      businessId: biz.businessId,
      clientId: 'client-csv',
      currency: 'AED',
      steps: [
        { at: '2026-11-01T10:00:00.000Z', type: 'balance_added', amount: '100.00', lot: 'L1', source: 'paid', note: '=HYPERLINK("http://evil.example","Click")', referenceId: '@SUM(A1)' },
        { at: '2026-11-02T10:00:00.000Z', type: 'used_for_payment', draws: { L1: '25.50' }, note: 'Haircut, "deluxe"\nsecond line', referenceId: 'sale-1' },
        { at: '2026-11-03T10:00:00.000Z', type: 'balance_deducted', draws: { L1: '4.50' }, note: '-10% goodwill' },
      ],
    });
    await writeWallet(stack.db, {
      businessId: biz.businessId,
      clientId: 'client-csv',
      currency: 'JPY',
      steps: [{ at: '2026-11-04T10:00:00.000Z', type: 'balance_added', amount: '3000', lot: 'J1', source: 'paid', note: '+81 phone' }],
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const download = (path: string, token = biz.ownerToken) => app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });

  it('writes every entry oldest first, amounts as numbers and typed text guarded against formulas', async () => {
    const response = await download('/api/clients/client-csv/transactions.csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="transactions-client-csv.csv"');
    const ids = await stack.db.query<{ id: string }>(`select id from ledger_entry where business_id = $1 order by created_at`, [biz.businessId]);
    expect(response.body).toBe(
      [
        header,
        `2026-11-01T10:00:00.000Z,balance_added,100.00,100.00,AED,manual,'@SUM(A1),"'=HYPERLINK(""http://evil.example"",""Click"")",Demo data,${ids[0].id}`,
        `2026-11-02T10:00:00.000Z,used_for_payment,-25.50,74.50,AED,payment,sale-1,"Haircut, ""deluxe""\nsecond line",Demo data,${ids[1].id}`,
        `2026-11-03T10:00:00.000Z,balance_deducted,-4.50,70.00,AED,manual,,'-10% goodwill,Demo data,${ids[2].id}`,
        `2026-11-04T10:00:00.000Z,balance_added,3000,3000,JPY,manual,,'+81 phone,Demo data,${ids[3].id}`,
        '',
      ].join('\n'),
    );
  });

  it('honours the history’s filters: currency, types and the date range', async () => {
    const byCurrency = await download('/api/clients/client-csv/transactions.csv?currency=JPY');
    expect(byCurrency.headers['content-disposition']).toBe('attachment; filename="transactions-client-csv-JPY.csv"');
    expect(rowsOf(byCurrency.body).map((row) => row[4])).toEqual(['JPY']);
    const byType = await download('/api/clients/client-csv/transactions.csv?type=used_for_payment&type=balance_deducted');
    expect(rowsOf(byType.body).map((row) => row[1])).toEqual(['used_for_payment', 'balance_deducted']);
    const byDate = await download('/api/clients/client-csv/transactions.csv?from=2026-11-02T00:00:00Z&to=2026-11-03T10:00:00Z');
    expect(rowsOf(byDate.body).map((row) => row[0])).toEqual(['2026-11-02T10:00:00.000Z']);
    const none = await download('/api/clients/client-csv/transactions.csv?type=bonus_credit');
    expect(none.body).toBe(`${header}\n`);
  });

  it('refuses what the history refuses: no balance.view, another business’s client, a malformed filter', async () => {
    expect((await download('/api/clients/client-csv/transactions.csv', biz.keyFor('giftcard.manage'))).statusCode).toBe(403);
    const other = await seedBusiness(app, permissions);
    const foreign = await download('/api/clients/client-csv/transactions.csv', other.ownerToken);
    expect(foreign.statusCode).toBe(404);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: 'not_found' } });
    const bad = await download('/api/clients/client-csv/transactions.csv?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await download('/api/clients/client-csv/transactions.csv?limit=10')).statusCode).toBe(400);
    expect((await download('/api/clients/client-csv/transactions.csv?from=0000-01-01T00:00:00Z')).statusCode).toBe(400);
    expect((await download('/api/clients/client-csv/transactions.csv?to=1969-12-31T00:00:00Z')).statusCode).toBe(400);
    expect((await http.as(undefined).get('/api/clients/client-csv/transactions.csv')).status).toBe(401);
  });

  it(`streams a ${longHistoryRows.toLocaleString('en')}-entry history in batches over HTTP, every row once and in order`, async () => {
    const walletId = uuidv7();
    await stack.db.query(`insert into client (business_id, id, name) values ($1, 'client-long', 'Long History')`, [biz.businessId]);
    await stack.db.query(
      `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, created_at, updated_at)
       values ($1, $2, 'client-long', 'AED', $3, $4, now(), now())`,
      [biz.businessId, walletId, `${longHistoryRows}.00`, longHistoryRows],
    );
    // Several entries share each millisecond, so the batches' keyset (time, id) is what keeps every row exactly once.
    await stack.db.query(
      `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after, reference_type, note, actor, command_id, created_at)
       select $1, gen_random_uuid(), $2, 'client-long', 'AED', i, 'balance_added', 1.00, i, 'manual', 'row ' || i, 'staff:demo-seed', 'long-' || i,
         timestamptz '2026-10-01T00:00:00Z' + (i / 4) * interval '1 millisecond' + (i % 4) * interval '1 microsecond'
       from generate_series(1, $3::int) i`,
      [biz.businessId, walletId, longHistoryRows],
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/clients/client-long/transactions.csv`, { headers: { authorization: `Bearer ${biz.ownerToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks += 1;
      text += decoder.decode(chunk, { stream: true });
    }
    const rows = rowsOf(text);
    expect(rows).toHaveLength(longHistoryRows);
    expect(chunks).toBeGreaterThan(10);
    const balances = rows.map((row) => Number(row[3]));
    expect(balances.every((balance, index) => balance === index + 1)).toBe(true);
    expect(new Set(rows.map((row) => row[9])).size).toBe(longHistoryRows);
  });
});

/**
 * The data rows of an export, split at commas: good for the columns before the note (date to reference id), which hold
 * no comma, quote or newline here; a note's second line starts no row (every row starts with its date).
 */
function rowsOf(csv: string): string[][] {
  return csv
    .split('\n')
    .filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line))
    .map((line) => line.split(','));
}
