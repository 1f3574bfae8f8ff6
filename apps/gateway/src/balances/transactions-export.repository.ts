import { Injectable } from '@nestjs/common';
import type { EntryType } from '@storecredit/contracts';
import { Database } from '../database';
import { historyFilterSql, type HistoryFilter } from './balances.repository';

export interface ExportEntryRow {
  id: string;
  created_at: Date;
  /** The sort key's time to the microsecond (UTC), for the next batch: a JS Date keeps only milliseconds. */
  created_key: string;
  type: EntryType;
  currency: string;
  amount: string;
  balance_after: string;
  reference_type: string;
  reference_id: string | null;
  note: string | null;
  actor: string;
}

/** The client's entries for a CSV export, oldest first, in keyset batches on (created_at, id): each batch costs the same. */
@Injectable()
export class TransactionsExportRepository {
  constructor(private readonly db: Database) {}

  /** Names of the business's staff and API keys by the actor string entries record (`staff:<id>`, `service:api-key:<id>`). */
  async actorNames(businessId: string): Promise<Map<string, string>> {
    const rows = await this.db.query<{ actor: string; name: string }>(
      `select 'staff:' || s.id::text as actor, s.name from staff s where s.business_id = ?
       union all
       select 'service:api-key:' || k.id::text, k.name from api_key k where k.business_id = ?`,
      [businessId, businessId],
    );
    return new Map(rows.map((row) => [row.actor, row.name]));
  }

  entries(businessId: string, clientId: string, filter: HistoryFilter, after: readonly [string, string] | null, rowsMax: number): Promise<ExportEntryRow[]> {
    const filtered = historyFilterSql(filter);
    const conditions = ['e.business_id = ?', 'e.client_id = ?', ...filtered.conditions];
    const params: unknown[] = [businessId, clientId, ...filtered.params];
    if (after) {
      conditions.push('(e.created_at, e.id) > (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    return this.db.query<ExportEntryRow>(
      `select e.id, e.created_at, to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key,
         e.type, e.currency, e.amount::text as amount, e.balance_after::text as balance_after,
         e.reference_type, e.reference_id, e.note, e.actor
       from ledger_entry e where ${conditions.join(' and ')}
       order by e.created_at, e.id limit ?`,
      [...params, rowsMax],
    );
  }
}
