import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, type BalanceChangeCommand, type EntryType } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class AddBalanceCommand extends LedgerCommand<'balance.add'> {}
export class CreditBalanceCommand extends LedgerCommand<'balance.credit'> {}
export class DeductBalanceCommand extends LedgerCommand<'balance.deduct'> {}
export class DebitBalanceCommand extends LedgerCommand<'balance.debit'> {}

/**
 * Add, credit, deduct and debit differ only in their entry type and direction; a change that would take the balance
 * below zero is refused by UnitOfWork.post (wallet-rules.ts: balanceAfterPosting).
 */
abstract class BalanceChangeHandler<T extends BalanceChangeCommand['type']> implements ICommandHandler<LedgerCommand<T>, Decision> {
  protected abstract readonly entryType: EntryType;
  protected abstract readonly direction: 1 | -1;

  async execute({ payload, work, now }: LedgerCommand<T>): Promise<Decision> {
    const command: BalanceChangeCommand = payload;
    const posted = work.post(
      command,
      {
        type: this.entryType,
        amount: new Decimal(command.amount).times(this.direction),
        referenceType: command.reference?.type ?? 'manual',
        referenceId: command.reference?.id ?? null,
      },
      now,
    );
    return postedResult(posted);
  }
}

/** Staff add credit (a top-up, a goodwill gesture). */
@CommandHandler(AddBalanceCommand)
export class AddBalanceHandler extends BalanceChangeHandler<'balance.add'> {
  protected readonly entryType = 'balance_added';
  protected readonly direction = 1;
}

/** A service credits the balance (a promotion, a correction). */
@CommandHandler(CreditBalanceCommand)
export class CreditBalanceHandler extends BalanceChangeHandler<'balance.credit'> {
  protected readonly entryType = 'balance_credit';
  protected readonly direction = 1;
}

/** Staff deduct credit; never below zero. */
@CommandHandler(DeductBalanceCommand)
export class DeductBalanceHandler extends BalanceChangeHandler<'balance.deduct'> {
  protected readonly entryType = 'balance_deducted';
  protected readonly direction = -1;
}

/** A service debits the balance; never below zero. */
@CommandHandler(DebitBalanceCommand)
export class DebitBalanceHandler extends BalanceChangeHandler<'balance.debit'> {
  protected readonly entryType = 'balance_debit';
  protected readonly direction = -1;
}
