import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { buildCommand, ledgerCommandIdPrefix, type Command } from '@storecredit/contracts';
import { Clock } from './clock';
import { GroupStore } from './group-store';

/** How often the sweep looks for holds and credit past their expiry, and how many of each it ends at a time. */
export const holdSweepIntervalMsDefault = 5_000;
export const holdSweepBatchMax = 500;

/** The id of the command that expires a hold: the same from every sweep, so a hold is expired once however many run. */
export function expireHoldCommandId(holdId: string): string {
  return `${ledgerCommandIdPrefix}expire-hold:${holdId}`;
}

/**
 * The id of the command that expires what remains of a lot, as the sweep saw it: the lot, what remained of it and the
 * wallet's version. Sweeps that see the same state send the same command (applied once); a sweep that sees a later
 * state (the wallet changed: a payment, a hold released) sends a new one, decided against the lot as it then is, so
 * credit is never expired twice and a lot that holds kept from expiring is expired once they end.
 */
export function expireCreditCommandId(lotId: string, remaining: string, walletVersion: number): string {
  return `${ledgerCommandIdPrefix}expire-credit:${lotId}:${remaining}:${walletVersion}`;
}

/**
 * The ledger's own expiry: of holds nobody captured or released in time, and of credit lots past their expiresAt. It
 * changes nothing itself: it finds what is due and hands `balance.expire-hold` and `balance.expire-credit` commands
 * (with deterministic command ids) to `send`, which applies them through LedgerCommands like every other change of
 * the wallet (a worker's sweep, or the in-process ledger in embedded mode). Several sweeps at once change nothing twice.
 */
@Injectable()
export class LedgerExpiry implements OnApplicationShutdown {
  private readonly logger = new Logger(LedgerExpiry.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly store: GroupStore,
    private readonly clock: Clock,
  ) {}

  /** The expire-hold commands of up to `limit` active holds past their expiry, the longest overdue first. */
  async due(limit: number = holdSweepBatchMax): Promise<Command[]> {
    const { rows } = await this.store.withConnection((client) =>
      client.query<{ business_id: string; hold_id: string; client_id: string; currency: string }>(
        `select business_id, hold_id, client_id, currency from balance_hold
         where status = 'active' and expires_at <= $1 order by expires_at limit $2`,
        [this.clock.now(), limit],
      ),
    );
    return rows.map((row) =>
      buildCommand({
        type: 'balance.expire-hold',
        commandId: expireHoldCommandId(row.hold_id),
        businessId: row.business_id,
        clientId: row.client_id,
        currency: row.currency,
        holdId: row.hold_id,
        actor: { kind: 'service', id: 'ledger' },
      }),
    );
  }

  /**
   * The expire-credit commands of up to `limit` lots past their expiry with something left, the longest overdue first;
   * only lots of wallets with something available (credit that holds reserve stays until they end).
   */
  async dueCredits(limit: number = holdSweepBatchMax): Promise<Command[]> {
    const { rows } = await this.store.withConnection((client) =>
      client.query<{ business_id: string; id: string; client_id: string; currency: string; remaining: string; version: number }>(
        `select l.business_id, l.id, l.client_id, l.currency, l.remaining::text as remaining, w.version
         from credit_lot l join wallet w on w.business_id = l.business_id and w.id = l.wallet_id
         where l.open and l.expires_at is not null and l.expires_at <= $1 and w.balance > w.held
         order by l.expires_at limit $2`,
        [this.clock.now(), limit],
      ),
    );
    return rows.map((row) =>
      buildCommand({
        type: 'balance.expire-credit',
        commandId: expireCreditCommandId(row.id, row.remaining, row.version),
        businessId: row.business_id,
        clientId: row.client_id,
        currency: row.currency,
        lotId: row.id,
        actor: { kind: 'service', id: 'ledger' },
      }),
    );
  }

  /** Sends the due holds' and lots' expiries once (holds first: what they release may then expire); returns how many. */
  async sweep(send: (commands: Command[]) => Promise<void>): Promise<number> {
    const holds = await this.due();
    if (holds.length > 0) await send(holds);
    const credits = await this.dueCredits();
    if (credits.length > 0) await send(credits);
    return holds.length + credits.length;
  }

  /** Sweeps every `intervalMs` until the application shuts down; a failed sweep is logged and tried again later. */
  start(send: (commands: Command[]) => Promise<void>, intervalMs: number = holdSweepIntervalMsDefault): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep(send)
        .catch((error: Error) => {
          this.logger.warn(`the expiry sweep failed (${error.message}); trying again in ${intervalMs} ms`);
          return 0;
        })
        .finally(() => (this.sweeping = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops sweeping and waits for a sweep under way; call it before what `send` uses is closed. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}
