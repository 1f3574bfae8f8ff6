import type { CommandOf, CommandType } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import type { UnitOfWork } from '../unit-of-work';

/**
 * A contract command as the command bus carries it to its handler: the payload, the group's unit of work the handler
 * decides against, and the time the command is applied at. The handler reads the rows it needs from the unit of work,
 * records its changes there, and returns its result (or throws a LedgerRejection); it does no I/O.
 */
export abstract class LedgerCommand<T extends CommandType> {
  constructor(
    readonly payload: CommandOf<T>,
    readonly work: UnitOfWork,
    readonly now: Date,
  ) {}
}

export type { Decision };
