import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { WalletLedger } from '../wallet-ledger';
import { balanceChange } from './balance-change';
import { AddBalanceCommand } from './add-balance.command';

@CommandHandler(AddBalanceCommand)
export class AddBalanceHandler implements ICommandHandler<AddBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: AddBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, balanceChange(this.ledger, payload, 'balance_added', 1));
  }
}
