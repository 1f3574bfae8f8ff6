import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { WalletLedger } from '../wallet-ledger';
import { balanceChange } from './balance-change';
import { CreditBalanceCommand } from './credit-balance.command';

@CommandHandler(CreditBalanceCommand)
export class CreditBalanceHandler implements ICommandHandler<CreditBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: CreditBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, balanceChange(this.ledger, payload, 'balance_credit', 1));
  }
}
