import type { WalletResult } from '@storecredit/contracts';
import type { EntryWrite, WalletRow } from '../unit-of-work';

/** What a reply needs of a posting. */
export interface PostedView {
  wallet: Pick<WalletRow, 'id' | 'clientId' | 'currency' | 'balance'>;
  entry: Pick<EntryWrite, 'id' | 'type' | 'amount'>;
}

/** The reply body of a command that posted an entry. */
export function postedResult(posted: PostedView, extra: Partial<WalletResult> = {}): WalletResult {
  return {
    walletId: posted.wallet.id,
    clientId: posted.wallet.clientId,
    currency: posted.wallet.currency,
    entryId: posted.entry.id,
    entryType: posted.entry.type,
    amount: posted.entry.amount.replace(/^-/, ''),
    balanceAfter: posted.wallet.balance,
    ...extra,
  };
}

/** The reply body of a command that changed nothing (a payment from an empty wallet). */
export function unchangedResult(
  wallet: Pick<WalletRow, 'id' | 'balance'> | null,
  key: { clientId: string; currency: string },
  zero: string,
  extra: Partial<WalletResult> = {},
): WalletResult {
  return {
    walletId: wallet?.id ?? '',
    clientId: key.clientId,
    currency: key.currency,
    entryId: null,
    entryType: null,
    amount: zero,
    balanceAfter: wallet?.balance ?? zero,
    ...extra,
  };
}
