import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { formatAmount } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { BalancePayment, Sale } from '../entities';
import { paymentOfSale, saleChanged, saleFigures, saleSummary, type SaleState } from '../sale-rules';
import { WalletLedger } from '../wallet-ledger';
import { PayWithBalanceCommand } from './pay-with-balance.command';
import { postedResult, unchangedResult } from './wallet-result';

/**
 * Checkout pays part or all of a sale with balance, capped at min(balance, owed, requested, what the sale leaves);
 * never over-applies, however many payment commands name the sale (sale-rules.ts decides).
 */
@CommandHandler(PayWithBalanceCommand)
export class PayWithBalanceHandler implements ICommandHandler<PayWithBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: PayWithBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const wallet = await this.ledger.findWallet(tx, payload);
      const found = await tx.findOne(Sale, { businessId: payload.businessId, saleId: payload.saleId });
      const payment = paymentOfSale(found ?? undefined, payload, this.ledger.balanceOf(wallet));
      const extra = { amountStillOwed: payment.amountStillOwed, sale: saleSummary(payment.sale) };
      if (payment.applied.isZero()) return unchangedResult(wallet, payload, formatAmount(0, payload.currency), extra);
      storeSale(tx, found, payment.sale, now);
      const posted = this.ledger.post(
        tx,
        wallet,
        payload,
        { type: 'used_for_payment', amount: payment.applied.negated(), referenceType: 'payment', referenceId: payload.saleId },
        now,
      );
      tx.create(BalancePayment, {
        businessId: payload.businessId,
        commandId: payload.commandId,
        walletId: posted.wallet.id,
        clientId: payload.clientId,
        currency: payload.currency,
        saleId: payload.saleId,
        amountApplied: formatAmount(payment.applied, payload.currency),
        amountRefunded: formatAmount(0, payload.currency),
        version: 1,
        createdAt: now,
      });
      return postedResult(posted, extra);
    });
  }
}

/** Records a sale as decided: a new row, or the found one changed (its version check serialises two writers). */
export function storeSale(tx: EntityManager, found: Sale | null, decided: SaleState, now: Date): void {
  if (!found) {
    tx.create(Sale, { ...decided, version: 1, createdAt: now, updatedAt: now });
    return;
  }
  if (!saleChanged(found, decided)) return;
  Object.assign(found, saleFigures(decided), { updatedAt: now });
}
