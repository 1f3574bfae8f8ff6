import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { ExactDecimalType } from './exact-decimal.type';

/**
 * A sale that balance paid or that a refund named: its amount bounds what balance pays for it in total and what
 * refunds of it return in total (libs/ledger/src/sale-rules.ts decides; CHECK constraints back it).
 */
@Entity({ tableName: 'sale' })
export class Sale {
  [PrimaryKeyProp]?: ['businessId', 'saleId'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'text' })
  saleId!: string;

  @Property({ type: 'text' })
  clientId!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amount!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  paidWithBalance!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  refunded!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
