import { Decimal, type BalanceChangeCommand, type EntryType } from '@storecredit/contracts';
import type { ApplyFn } from '../command-executor';
import type { WalletLedger } from '../wallet-ledger';
import { postedResult } from './wallet-result';

/**
 * Add, credit, deduct and debit differ only in their entry type and direction; a debit that would take
 * the balance below zero is refused by WalletLedger.post.
 */
export function balanceChange(ledger: WalletLedger, command: BalanceChangeCommand, type: EntryType, direction: 1 | -1): ApplyFn {
  return async (tx, now) => {
    const wallet = await ledger.findWallet(tx, command);
    const posted = ledger.post(
      tx,
      wallet,
      command,
      {
        type,
        amount: new Decimal(command.amount).times(direction),
        referenceType: command.reference?.type ?? 'manual',
        referenceId: command.reference?.id ?? null,
      },
      now,
    );
    return postedResult(posted);
  };
}
