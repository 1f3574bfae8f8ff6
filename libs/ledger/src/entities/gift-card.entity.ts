import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import type { GiftCardStatus } from '@storecredit/contracts';
import { ExactDecimalType } from './exact-decimal.type';

export type { GiftCardStatus };

/** A gift card; the code itself is never stored, only its hash and its last four characters. */
@Entity({ tableName: 'gift_card' })
@Unique({ properties: ['businessId', 'codeHash'] })
export class GiftCard {
  [PrimaryKeyProp]?: ['businessId', 'id'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  codeHash!: string;

  @Property({ type: 'text' })
  last4!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amount!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  status!: GiftCardStatus;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Property({ type: 'text', nullable: true })
  redeemedClientId!: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  redeemedAt!: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @Property({ type: 'text' })
  issuedBy!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}
