import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { Clock, SystemClock } from './clock';
import { commandHandlers } from './commands';
import { GroupStore, groupStoreOptionsToken } from './group-store';
import { LedgerExpiry } from './ledger-expiry';
import { LedgerCommands } from './ledger-commands';
import { ledgerDatabaseUrl, ledgerOrmConfig, poolSizeMax } from './orm.config';
import { LedgerVerifier } from './verify/ledger-verifier';

export interface LedgerModuleOptions {
  databaseUrl?: string;
  /** Connections in each pool; the embedded database takes one at a time. */
  poolMax?: number;
  clock?: Clock;
}

@Injectable()
class OrmShutdown implements OnApplicationShutdown {
  constructor(private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
  }
}

/**
 * The ledger: LedgerCommands (apply commands), the command handlers that decide them, and the verifier. The ORM
 * serves the verifier and the outbox relay; commands are read and written by GroupStore's two statements.
 */
@Module({})
export class LedgerModule {
  static forRoot(options: LedgerModuleOptions = {}): DynamicModule {
    return {
      module: LedgerModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: MikroORM, useFactory: () => MikroORM.init(ledgerOrmConfig(options.databaseUrl, { poolMax: options.poolMax })) },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        OrmShutdown,
        { provide: groupStoreOptionsToken, useValue: { databaseUrl: ledgerDatabaseUrl(options.databaseUrl), poolMax: options.poolMax ?? poolSizeMax } },
        GroupStore,
        LedgerCommands,
        LedgerExpiry,
        LedgerVerifier,
        ...commandHandlers,
      ],
      exports: [MikroORM, Clock, GroupStore, LedgerCommands, LedgerExpiry, LedgerVerifier],
    };
  }
}
