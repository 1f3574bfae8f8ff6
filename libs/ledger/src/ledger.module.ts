import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Command } from '@storecredit/contracts';
import { Clock, SystemClock } from './clock';
import { CommandExecutor, type CommandOutcome } from './command-executor';
import { commandHandlers, toCqrsCommand } from './commands';
import { GiftCards } from './gift-cards';
import { isSetCommand, type SetCommand } from './group-commit/group-planner';
import { GroupWriteConflict } from './group-commit/group-store';
import { SetGroupCommit, setGroupCommitOptionsToken } from './group-commit/set-group-commit';
import { ledgerDatabaseUrl, ledgerOrmConfig, poolSizeMax } from './orm.config';
import { LedgerBatches, LostRaceInBatch } from './ledger-batches';
import { LedgerVerifier } from './verify/ledger-verifier';
import { WalletLedger } from './wallet-ledger';

/**
 * How a group of commands is committed: `sets` decides the group in memory and writes each table with one statement
 * (the fast path); `savepoints` applies its commands one after another in one transaction, a savepoint each.
 */
export type GroupCommitMode = 'sets' | 'savepoints';
export const groupCommitModes: readonly GroupCommitMode[] = ['sets', 'savepoints'];

export interface LedgerModuleOptions {
  databaseUrl?: string;
  /** Connections in the pool; the embedded database takes one at a time. */
  poolMax?: number;
  clock?: Clock;
  groupCommit?: GroupCommitMode;
}
const groupCommitModeToken = Symbol('GroupCommitMode');

/** Applies validated contract commands through the command bus; adapters (Kafka, HTTP) call only this. */
@Injectable()
export class LedgerCommands {
  private readonly logger = new Logger(LedgerCommands.name);

  constructor(
    private readonly commandBus: CommandBus,
    private readonly batches: LedgerBatches,
    private readonly sets: SetGroupCommit,
    @Inject(groupCommitModeToken) private readonly mode: GroupCommitMode,
  ) {}

  apply(command: Command): Promise<CommandOutcome> {
    return this.commandBus.execute(toCqrsCommand(command) as never);
  }

  /**
   * Applies commands in order, exactly as applying them one by one would, and commits them in groups: a run of
   * wallet commands as sets, any other command in savepoints. Runs commit one after another, so a later command
   * always sees what the earlier ones did.
   */
  async applyGroup(commands: readonly Command[]): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (const run of runsOf(commands, this.mode)) {
      outcomes.push(...(run.sets ? await this.applySets(run.commands as SetCommand[]) : await this.applyInSavepoints(run.commands)));
    }
    return outcomes;
  }

  /**
   * A group that failed as sets is applied the slow way. Another writer getting there first or the database going
   * away is expected; anything else is a defect of the fast path, logged as an error with its stack, and the group
   * is still answered by the one-by-one path, which decides every command by the same rules.
   */
  private async applySets(commands: SetCommand[]): Promise<CommandOutcome[]> {
    try {
      return await this.sets.apply(commands);
    } catch (error) {
      const message = `a group of ${commands.length} commands could not be committed as sets (${(error as Error).message}); applying it in savepoints`;
      if (isExpectedGroupFailure(error)) this.logger.warn(message);
      else this.logger.error(message, (error as Error).stack);
      return this.applyInSavepoints(commands);
    }
  }

  /** One transaction, a savepoint per command; if one lost a race, the commands are applied again one transaction each. */
  private async applyInSavepoints(commands: readonly Command[]): Promise<CommandOutcome[]> {
    const applyAll = async () => {
      const outcomes: CommandOutcome[] = [];
      for (const command of commands) outcomes.push(await this.apply(command));
      return outcomes;
    };
    try {
      return await this.batches.run(applyAll);
    } catch (error) {
      if (!(error instanceof LostRaceInBatch)) throw error;
      this.logger.warn(`${error.message}; applying ${commands.length} commands one by one`);
      return applyAll();
    }
  }
}

/** A lost race (a row count short, a key taken, a deadlock) or a database error (a PostgreSQL SQLSTATE, a cut connection). */
function isExpectedGroupFailure(error: unknown): boolean {
  if (error instanceof GroupWriteConflict) return true;
  if (!(error instanceof Error)) return false;
  return typeof (error as Error & { code?: unknown }).code === 'string' || /connection|terminated|ECONN/i.test(error.message);
}

/** Splits commands into maximal runs that commit the same way, keeping their order. */
export function runsOf(commands: readonly Command[], mode: GroupCommitMode): { sets: boolean; commands: Command[] }[] {
  const runs: { sets: boolean; commands: Command[] }[] = [];
  for (const command of commands) {
    const sets = mode === 'sets' && isSetCommand(command);
    const last = runs[runs.length - 1];
    if (last && last.sets === sets) last.commands.push(command);
    else runs.push({ sets, commands: [command] });
  }
  return runs;
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
        {
          provide: setGroupCommitOptionsToken,
          useValue: { databaseUrl: ledgerDatabaseUrl(options.databaseUrl), poolMax: options.poolMax ?? poolSizeMax },
        },
        { provide: groupCommitModeToken, useValue: options.groupCommit ?? 'sets' },
        SetGroupCommit,
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
