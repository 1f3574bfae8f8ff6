import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { WalletLedger } from '../wallet-ledger';
import { balanceChange } from './balance-change';
import { DebitBalanceCommand } from './debit-balance.command';

@CommandHandler(DebitBalanceCommand)
export class DebitBalanceHandler implements ICommandHandler<DebitBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: DebitBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, balanceChange(this.ledger, payload, 'balance_debit', -1));
  }
}
