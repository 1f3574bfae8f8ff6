import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A command in a group commit lost a race to another writer (a second worker during a rebalance). The batch
 * is rolled back and its commands are applied again one transaction each, where a lost race is retried.
 */
export class LostRaceInBatch extends Error {
  constructor(readonly commandId: string) {
    super(`command ${commandId} lost a race inside a group commit`);
    this.name = 'LostRaceInBatch';
  }
}

/**
 * Group commit: the commands applied inside `run` share one database transaction, each in a savepoint of its
 * own, so a batch pays for one commit instead of one per command. A rejection rolls back only its savepoint;
 * the batch commits, or rolls back, as a whole.
 */
@Injectable()
export class LedgerBatches {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly orm: MikroORM) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const em = this.orm.em.fork() as EntityManager;
    return em.transactional((tx) => this.storage.run(tx, fn));
  }

  /** The transaction of the batch the caller runs in, if any. */
  current(): EntityManager | undefined {
    return this.storage.getStore();
  }
}
