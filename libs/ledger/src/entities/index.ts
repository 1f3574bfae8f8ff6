import { BalancePayment } from './balance-payment.entity';
import { GiftCard } from './gift-card.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { LedgerEntry } from './ledger-entry.entity';
import { OutboxMessage } from './outbox-message.entity';
import { Wallet } from './wallet.entity';

export { BalancePayment, GiftCard, IdempotencyRecord, LedgerEntry, OutboxMessage, Wallet };
export type { GiftCardStatus } from './gift-card.entity';
export const ledgerEntities = [Wallet, LedgerEntry, IdempotencyRecord, OutboxMessage, GiftCard, BalancePayment];
