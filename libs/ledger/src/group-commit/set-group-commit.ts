import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { Clock } from '../clock';
import type { CommandOutcome } from '../command-outcomes';
import { planGroup, type SetCommand } from './group-planner';
import { loadGroupState, writeGroup } from './group-store';

export interface SetGroupCommitOptions {
  databaseUrl: string;
  poolMax: number;
}
export const setGroupCommitOptionsToken = Symbol('SetGroupCommitOptions');

/**
 * Group commit as sets: one statement reads the group's idempotency records, wallets and payments, every command is
 * decided in memory (GroupPlanner), and one statement, its own transaction, writes everything the group decided.
 * It uses a pool of plain `pg` connections of its own, opened on first use, because the ORM's unit of work costs
 * more CPU per command than the database does. Any failure leaves nothing of the group written and is thrown; the
 * caller then applies the group the one-by-one way, where every race has its answer.
 */
@Injectable()
export class SetGroupCommit implements OnApplicationShutdown {
  private readonly logger = new Logger(SetGroupCommit.name);
  private pool?: Pool;

  constructor(
    @Inject(setGroupCommitOptionsToken) private readonly options: SetGroupCommitOptions,
    private readonly clock: Clock,
  ) {}

  async apply(commands: readonly SetCommand[]): Promise<CommandOutcome[]> {
    const client = await this.connections().connect();
    let broken: Error | undefined;
    // A connection cut while checked out but between queries is reported here, not to the pool; unheard, it would
    // crash the worker. The next query on it fails, and the group is retried.
    const onError = (error: Error) => {
      broken = error;
      this.logger.warn(`a database connection failed: ${error.message}`);
    };
    client.on('error', onError);
    try {
      // No begin and commit: the read is one statement (one snapshot) and the write is one statement that is all or
      // nothing by itself (writeGroup), so each runs as its own transaction. In READ COMMITTED a transaction around
      // them would add no isolation (each statement takes a snapshot of its own), only two round trips; everything
      // the plan took from the read is checked again by the write (versions, keys), which refuses itself if any
      // of it changed meanwhile.
      const state = await loadGroupState(client, commands);
      const plan = planGroup(commands, state, () => this.clock.now());
      await writeGroup(client, plan.writes);
      return plan.outcomes;
    } finally {
      client.off('error', onError);
      // A connection that failed is closed rather than handed to the next group.
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }

  private connections(): Pool {
    if (!this.pool) {
      this.pool = new Pool({ connectionString: this.options.databaseUrl, max: this.options.poolMax });
      // An idle connection the server closed (restart, network cut) must not crash the worker; the next group reconnects.
      this.pool.on('error', (error) => this.logger.warn(`an idle database connection failed: ${error.message}`));
    }
    return this.pool;
  }
}
