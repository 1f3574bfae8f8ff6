import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, formatAmount } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { BalancePayment } from '../entities';
import { WalletLedger } from '../wallet-ledger';
import { PayWithBalanceCommand } from './pay-with-balance.command';
import { paymentToApply } from './payment-cap';
import { postedResult, unchangedResult } from './wallet-result';

/** Checkout pays part or all of a sale with balance, capped at min(balance, owed, requested); never over-applies. */
@CommandHandler(PayWithBalanceCommand)
export class PayWithBalanceHandler implements ICommandHandler<PayWithBalanceCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: PayWithBalanceCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const wallet = await this.ledger.findWallet(tx, payload);
      const owed = new Decimal(payload.amountOwed);
      const requested = payload.amountRequested === undefined ? undefined : new Decimal(payload.amountRequested);
      const applied = paymentToApply(this.ledger.balanceOf(wallet), owed, requested);
      const stillOwed = formatAmount(owed.minus(applied), payload.currency);
      if (applied.isZero()) {
        return unchangedResult(wallet, payload, formatAmount(0, payload.currency), { amountStillOwed: stillOwed });
      }
      const posted = this.ledger.post(
        tx,
        wallet,
        payload,
        { type: 'used_for_payment', amount: applied.negated(), referenceType: 'payment', referenceId: payload.saleId },
        now,
      );
      tx.create(BalancePayment, {
        businessId: payload.businessId,
        commandId: payload.commandId,
        walletId: posted.wallet.id,
        clientId: payload.clientId,
        currency: payload.currency,
        saleId: payload.saleId,
        amountApplied: formatAmount(applied, payload.currency),
        amountRefunded: formatAmount(0, payload.currency),
        version: 1,
        createdAt: now,
      });
      return postedResult(posted, { amountStillOwed: stillOwed });
    });
  }
}
