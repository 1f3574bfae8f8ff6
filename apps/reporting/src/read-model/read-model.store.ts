import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { sequenceNeeded, type WalletEvent } from './sequence-rules';

export interface WalletRow {
  businessId: string;
  walletId: string;
  lastSequence: number;
  balance: string;
  held: string;
}

export interface ParkedRow {
  id: string;
  event: WalletEvent;
}

export interface MalformedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason: string;
  value: string | null;
}

/** Past this, a malformed message is kept cut short: the row is for an operator to recognise it, not to replay it. */
export const malformedValueCharsMax = 64 * 1024;

const walletColumns = `business_id as "businessId", wallet_id as "walletId", last_sequence as "lastSequence", balance::text as balance, held::text as held`;

/** The SQL of one transaction on the read model. */
export class ReadModelTransaction {
  constructor(private readonly client: PoolClient) {}

  /** Records an event id; false when it was recorded before (a repeat). */
  async markProcessed(eventId: string): Promise<boolean> {
    const result = await this.client.query(`insert into reporting.processed_event (event_id) values ($1) on conflict do nothing`, [eventId]);
    return result.rowCount === 1;
  }

  /** The wallet, created empty on its first event, locked until the transaction ends. */
  async lockWallet(event: WalletEvent): Promise<WalletRow> {
    await this.client.query(
      `insert into reporting.wallet (business_id, wallet_id, client_id, currency) values ($1, $2, $3, $4) on conflict do nothing`,
      [event.businessId, event.walletId, event.clientId, event.currency],
    );
    const { rows } = await this.client.query<WalletRow>(`select ${walletColumns} from reporting.wallet where business_id = $1 and wallet_id = $2 for update`, [
      event.businessId,
      event.walletId,
    ]);
    return rows[0];
  }

  /** Adds an entry's amount to its wallet and to the business's outstanding credit; returns the wallet after it. */
  async addEntry(wallet: WalletRow, sequence: number, amount: string, currency: string): Promise<WalletRow> {
    const { rows } = await this.client.query<WalletRow>(
      `update reporting.wallet set balance = balance + $3::numeric, last_sequence = $4, updated_at = now()
       where business_id = $1 and wallet_id = $2 returning ${walletColumns}`,
      [wallet.businessId, wallet.walletId, amount, sequence],
    );
    await this.client.query(
      `insert into reporting.outstanding (business_id, currency, amount) values ($1, $2, $3::numeric)
       on conflict (business_id, currency) do update set amount = reporting.outstanding.amount + excluded.amount`,
      [wallet.businessId, currency, amount],
    );
    return rows[0];
  }

  async setHeld(wallet: WalletRow, held: string): Promise<WalletRow> {
    const { rows } = await this.client.query<WalletRow>(
      `update reporting.wallet set held = $3::numeric, updated_at = now() where business_id = $1 and wallet_id = $2 returning ${walletColumns}`,
      [wallet.businessId, wallet.walletId, held],
    );
    return rows[0];
  }

  async hasParked(wallet: WalletRow): Promise<boolean> {
    const { rows } = await this.client.query(`select 1 from reporting.parked_event where business_id = $1 and wallet_id = $2 limit 1`, [wallet.businessId, wallet.walletId]);
    return rows.length > 0;
  }

  async park(event: WalletEvent): Promise<void> {
    await this.client.query(
      `insert into reporting.parked_event (business_id, wallet_id, needed_sequence, kind, event) values ($1, $2, $3, $4, $5::jsonb)`,
      [event.businessId, event.walletId, sequenceNeeded(event), event.type === 'wallet.entry_recorded' ? 'entry' : 'hold', JSON.stringify(event)],
    );
  }

  /**
   * The parked event to apply next, if the wallet has one that needs no more than it has: the lowest sequence needed
   * first, and for the same one, hold events before the entry (a hold naming entry n happened before entry n + 1),
   * each kind in the order it arrived. Taken out of the table as it is read.
   */
  async takeNextParked(wallet: WalletRow): Promise<ParkedRow | undefined> {
    const { rows } = await this.client.query<ParkedRow>(
      `delete from reporting.parked_event where id = (
         select id from reporting.parked_event where business_id = $1 and wallet_id = $2 and needed_sequence <= $3
         order by needed_sequence, kind = 'entry', id limit 1)
       returning id::text as id, event`,
      [wallet.businessId, wallet.walletId, wallet.lastSequence],
    );
    return rows[0];
  }
}

/** The read model's connection pool: one transaction per event, and the reads of the metrics and the tests. */
export class ReadModelStore {
  private readonly logger = new Logger(ReadModelStore.name);

  constructor(readonly pool: Pool) {
    // An idle connection the server ends (a restart, a failover) is reported here; pg emits it on the pool, where an
    // unheard 'error' would end the process. The pool opens a new connection for the next event.
    pool.on('error', (error) => this.logger.warn(`an idle database connection ended: ${error.message}`));
  }

  async transaction<T>(work: (tx: ReadModelTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(new ReadModelTransaction(client));
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async keepMalformed(message: MalformedMessage): Promise<void> {
    await this.pool.query(
      `insert into reporting.malformed_event (topic, kafka_partition, kafka_offset, message_key, reason, value) values ($1, $2, $3, $4, $5, $6)`,
      [message.topic, message.partition, message.offset, message.key, message.reason, message.value?.slice(0, malformedValueCharsMax) ?? null],
    );
  }

  /** Wallets with events parked behind a gap, whatever replica parked them. */
  async walletsBehindGap(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(`select count(distinct (business_id, wallet_id))::text as count from reporting.parked_event`);
    return Number(rows[0].count);
  }
}
