import { BalancePayment } from './balance-payment.entity';
import { BalanceRefund } from './balance-refund.entity';
import { GiftCard } from './gift-card.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { LedgerEntry } from './ledger-entry.entity';
import { OutboxMessage } from './outbox-message.entity';
import { Sale } from './sale.entity';
import { Wallet } from './wallet.entity';

export { BalancePayment, BalanceRefund, GiftCard, IdempotencyRecord, LedgerEntry, OutboxMessage, Sale, Wallet };
export type { GiftCardStatus } from './gift-card.entity';
export const ledgerEntities = [Wallet, LedgerEntry, IdempotencyRecord, OutboxMessage, GiftCard, BalancePayment, Sale, BalanceRefund];
