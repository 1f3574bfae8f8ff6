import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/core';
import type { Command } from '@storecredit/contracts';
import { Clock, SystemClock } from './clock';
import { CommandExecutor, type CommandOutcome } from './command-executor';
import { commandHandlers, toCqrsCommand } from './commands';
import { GiftCards } from './gift-cards';
import { ledgerOrmConfig } from './orm.config';
import { LedgerBatches } from './ledger-batches';
import { LedgerVerifier } from './verify/ledger-verifier';
import { WalletLedger } from './wallet-ledger';

export interface LedgerModuleOptions {
  databaseUrl?: string;
  /** Connections in the pool; the embedded database takes one at a time. */
  poolMax?: number;
  clock?: Clock;
}

/** Applies a validated contract command through the command bus; adapters (Kafka, HTTP) call only this. */
@Injectable()
export class LedgerCommands {
  constructor(private readonly commandBus: CommandBus) {}

  apply(command: Command): Promise<CommandOutcome> {
    return this.commandBus.execute(toCqrsCommand(command) as never);
  }
}

@Injectable()
class OrmShutdown implements OnApplicationShutdown {
  constructor(private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
  }
}

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
        LedgerBatches,
        CommandExecutor,
        WalletLedger,
        GiftCards,
        LedgerCommands,
        LedgerVerifier,
        ...commandHandlers,
      ],
      exports: [MikroORM, Clock, LedgerCommands, LedgerBatches, LedgerVerifier],
    };
  }
}
