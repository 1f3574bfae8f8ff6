import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { buildCommand, type Command } from '@storecredit/contracts';
import { Clock } from './clock';
import { GroupStore } from './group-store';

/** How often the sweep looks for holds past their expiry, and how many it ends at a time. */
export const holdSweepIntervalMsDefault = 5_000;
export const holdSweepBatchMax = 500;

/** The id of the command that expires a hold: the same from every sweep, so a hold is expired once however many run. */
export function expireHoldCommandId(holdId: string): string {
  return `expire-hold:${holdId}`;
}

/**
 * The ledger's own release of holds nobody captured or released in time. It does not change a hold itself: it finds
 * the holds past their expiry and hands `balance.expire-hold` commands (with a deterministic command id) to `send`,
 * which applies them through LedgerCommands like every other change of the wallet (a worker's sweep, or the
 * in-process ledger in embedded mode). Several sweeps at once change nothing twice.
 */
@Injectable()
export class HoldExpiry implements OnApplicationShutdown {
  private readonly logger = new Logger(HoldExpiry.name);
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

  /** Sends the due holds' expiries once; returns how many were sent. */
  async sweep(send: (commands: Command[]) => Promise<void>): Promise<number> {
    const commands = await this.due();
    if (commands.length > 0) await send(commands);
    return commands.length;
  }

  /** Sweeps every `intervalMs` until the application shuts down; a failed sweep is logged and tried again later. */
  start(send: (commands: Command[]) => Promise<void>, intervalMs: number = holdSweepIntervalMsDefault): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep(send)
        .catch((error: Error) => {
          this.logger.warn(`the hold expiry sweep failed (${error.message}); trying again in ${intervalMs} ms`);
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
