import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { ExactDecimalType } from './exact-decimal.type';

/** A payment made with balance, so that refunds of it can never return more than it applied. */
@Entity({ tableName: 'balance_payment' })
export class BalancePayment {
  [PrimaryKeyProp]?: ['businessId', 'commandId'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'text' })
  commandId!: string;

  @Property({ type: 'uuid' })
  walletId!: string;

  @Property({ type: 'text' })
  clientId!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  saleId!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amountApplied!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amountRefunded!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}
