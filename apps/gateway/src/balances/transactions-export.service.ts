import { Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { pipeline, Readable } from 'node:stream';
import type { Principal } from '../auth/principal';
import { ClientsService } from '../clients/clients.service';
import { actorLabel } from './actor-label';
import type { HistoryFilter } from './balances.repository';
import type { HistoryQuery } from './balances.service';
import { amountCell, textCell } from './spreadsheet-cells';
import { TransactionsExportRepository, type ExportEntryRow } from './transactions-export.repository';

/** Rows read per query while streaming: memory stays at one batch (and the socket's buffers), whatever the history's length. */
export const exportBatchRowsMax = 1000;

export const transactionsCsvColumns = ['date', 'type', 'amount', 'balance after', 'currency', 'reference type', 'reference id', 'note', 'actor', 'entry id'];

export type ExportQuery = Omit<HistoryQuery, 'cursor' | 'limit'>;

/** A client's history as a CSV download: the history's filters, oldest first (a statement reads forward), streamed. */
@Injectable()
export class TransactionsExportService {
  private readonly logger = new Logger(TransactionsExportService.name);

  constructor(
    private readonly exports: TransactionsExportRepository,
    private readonly clients: ClientsService,
  ) {}

  /** Checks the client first (404 before any byte is sent), then streams; a failure mid-way ends the download broken, never short and whole-looking. */
  async csv(principal: Principal, clientId: string, query: ExportQuery): Promise<{ fileName: string; stream: Readable }> {
    await this.clients.requireClient(principal, clientId);
    const filter: HistoryFilter = {
      currency: query.currency,
      types: query.type,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const names = await this.exports.actorNames(principal.businessId);
    const records = Readable.from(this.records(principal.businessId, clientId, filter, names), { objectMode: true });
    const stream = pipeline(records, stringify({ header: true, columns: transactionsCsvColumns }), (error) => {
      if (error) this.logger.error(`transactions export of ${clientId} failed: ${error.message}`);
    });
    return { fileName: `transactions-${clientId}${query.currency === undefined ? '' : `-${query.currency}`}.csv`, stream };
  }

  private async *records(businessId: string, clientId: string, filter: HistoryFilter, names: Map<string, string>): AsyncGenerator<string[]> {
    let after: readonly [string, string] | null = null;
    for (;;) {
      const rows = await this.exports.entries(businessId, clientId, filter, after, exportBatchRowsMax);
      for (const row of rows) yield csvRecord(row, names);
      if (rows.length < exportBatchRowsMax) return;
      const last = rows[rows.length - 1];
      after = [last.created_key, last.id];
    }
  }
}

/** One entry as CSV cells (spreadsheet-cells.ts says which cells are guarded and why). */
export function csvRecord(row: ExportEntryRow, names: ReadonlyMap<string, string>): string[] {
  return [
    new Date(row.created_at).toISOString(),
    textCell(row.type),
    amountCell(row.amount),
    amountCell(row.balance_after),
    textCell(row.currency),
    textCell(row.reference_type),
    textCell(row.reference_id),
    textCell(row.note),
    textCell(actorLabel(row.actor, names.get(row.actor) ?? null)),
    textCell(row.id),
  ];
}
