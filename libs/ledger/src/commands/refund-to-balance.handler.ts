import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal, type CommandOf } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { EarlierResult } from '../command-outcomes';
import { BalancePayment, BalanceRefund, Sale } from '../entities';
import { earlierRefund, refundOfSale, refundStateOf, saleSummary } from '../sale-rules';
import { refundedAfter } from '../wallet-rules';
import { WalletLedger } from '../wallet-ledger';
import { storeSale } from './pay-with-balance.handler';
import { RefundToBalanceCommand } from './refund-to-balance.command';
import { postedResult } from './wallet-result';

/**
 * A refund credited to balance, at most once per refund id. A refund of a balance payment never returns more in
 * total than the payment applied, and refunds of one sale never more than the sale's amount (sale-rules.ts and
 * wallet-rules.ts decide; the payment's and the sale's version checks serialise two refunds of them).
 */
@CommandHandler(RefundToBalanceCommand)
export class RefundToBalanceHandler implements ICommandHandler<RefundToBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: RefundToBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const previous = await tx.findOne(BalanceRefund, { businessId: payload.businessId, refundId: payload.refundId });
      const earlier = earlierRefund(previous ?? undefined, payload);
      if (earlier) return new EarlierResult(earlier);
      const amount = new Decimal(payload.amount);
      const payment = payload.paymentCommandId === undefined ? undefined : await this.consumePayment(tx, payload, payload.paymentCommandId, amount);
      const saleId = payment?.saleId ?? payload.saleId;
      if (saleId === undefined) throw new Error(`refund ${payload.refundId} names neither a payment nor a sale`);
      const found = await tx.findOne(Sale, { businessId: payload.businessId, saleId });
      const sale = refundOfSale(found ?? undefined, payload, { saleId, payment }, amount);
      const wallet = await this.ledger.findWallet(tx, payload);
      const posted = this.ledger.post(
        tx,
        wallet,
        payload,
        { type: 'refund_credit', amount, referenceType: 'refund', referenceId: payload.refundId },
        now,
      );
      storeSale(tx, found, sale, now);
      const result = postedResult(posted, { sale: saleSummary(sale) });
      tx.create(BalanceRefund, { ...refundStateOf(payload, result), saleId, amount: payload.amount, createdAt: now });
      return result;
    });
  }

  private async consumePayment(
    tx: EntityManager,
    payload: CommandOf<'balance.refund'>,
    paymentCommandId: string,
    amount: Decimal,
  ): Promise<BalancePayment> {
    const found = await tx.findOne(BalancePayment, { businessId: payload.businessId, commandId: paymentCommandId });
    const { payment, refunded } = refundedAfter(found, payload, paymentCommandId, amount);
    payment.amountRefunded = refunded;
    return payment;
  }
}
