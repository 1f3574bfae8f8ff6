import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal, type CommandOf } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { BalancePayment } from '../entities';
import { refundedAfter } from '../wallet-rules';
import { WalletLedger } from '../wallet-ledger';
import { RefundToBalanceCommand } from './refund-to-balance.command';
import { postedResult } from './wallet-result';

/**
 * A refund credited to balance. A refund of a balance payment never returns more in total than the payment
 * applied (the payment row's version check serialises two refunds of it); a refund of a sale paid by other
 * means is credited as it is.
 */
@CommandHandler(RefundToBalanceCommand)
export class RefundToBalanceHandler implements ICommandHandler<RefundToBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: RefundToBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const amount = new Decimal(payload.amount);
      if (payload.paymentCommandId !== undefined) await this.consumePayment(tx, payload, payload.paymentCommandId, amount);
      const wallet = await this.ledger.findWallet(tx, payload);
      const posted = this.ledger.post(
        tx,
        wallet,
        payload,
        { type: 'refund_credit', amount, referenceType: 'refund', referenceId: payload.refundId },
        now,
      );
      return postedResult(posted);
    });
  }

  private async consumePayment(
    tx: EntityManager,
    payload: CommandOf<'balance.refund'>,
    paymentCommandId: string,
    amount: Decimal,
  ): Promise<void> {
    const found = await tx.findOne(BalancePayment, { businessId: payload.businessId, commandId: paymentCommandId });
    const { payment, refunded } = refundedAfter(found, payload, paymentCommandId, amount);
    payment.amountRefunded = refunded;
  }
}
