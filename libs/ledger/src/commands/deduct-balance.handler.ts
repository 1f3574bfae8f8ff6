import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { WalletLedger } from '../wallet-ledger';
import { balanceChange } from './balance-change';
import { DeductBalanceCommand } from './deduct-balance.command';

@CommandHandler(DeductBalanceCommand)
export class DeductBalanceHandler implements ICommandHandler<DeductBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: DeductBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, balanceChange(this.ledger, payload, 'balance_deducted', -1));
  }
}
