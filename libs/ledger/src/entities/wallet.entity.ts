import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { ExactDecimalType } from './exact-decimal.type';

/** One business, one client, one currency. The balance is the sum of its entries and never below zero. */
@Entity({ tableName: 'wallet' })
@Unique({ properties: ['businessId', 'clientId', 'currency'] })
export class Wallet {
  [PrimaryKeyProp]?: ['businessId', 'id'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  clientId!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  balance!: string;

  /** The sequence of the wallet's last entry: entries count 1, 2, 3... without gaps. */
  @Property({ type: 'integer' })
  lastSequence!: number;

  /** Optimistic lock: every update checks and bumps it, so two writers can never both win. */
  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
