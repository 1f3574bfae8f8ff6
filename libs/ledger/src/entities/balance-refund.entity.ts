import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { WalletResult } from '@storecredit/contracts';
import { ExactDecimalType } from './exact-decimal.type';

/** A refund id applied: its key makes a refund apply at most once, whatever command ids carry it (append-only). */
@Entity({ tableName: 'balance_refund' })
export class BalanceRefund {
  [PrimaryKeyProp]?: ['businessId', 'refundId'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'text' })
  refundId!: string;

  /** The command that applied it. */
  @Property({ type: 'text' })
  commandId!: string;

  /** SHA-256 of the refund's content (sale-rules.ts refundContentHash): the same refund again is a repeat. */
  @Property({ type: 'text' })
  contentHash!: string;

  @Property({ type: 'text', nullable: true })
  saleId!: string | null;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amount!: string;

  @Property({ type: 'json' })
  result!: WalletResult;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}
