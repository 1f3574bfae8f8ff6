import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { ExactDecimalType } from './exact-decimal.type';
import type { EntryType } from '@storecredit/contracts';

/** Append-only: the database refuses an update or a delete of an entry. */
@Entity({ tableName: 'ledger_entry' })
export class LedgerEntry {
  [PrimaryKeyProp]?: ['businessId', 'id'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  walletId!: string;

  @Property({ type: 'text' })
  clientId!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'text' })
  type!: EntryType;

  /** Signed: credits positive, debits negative. */
  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  amount!: string;

  @Property({ type: ExactDecimalType, columnType: 'numeric' })
  balanceAfter!: string;

  @Property({ type: 'text' })
  referenceType!: string;

  @Property({ type: 'text', nullable: true })
  referenceId!: string | null;

  @Property({ type: 'text', nullable: true })
  note!: string | null;

  /** "staff:<id>" or "service:<name>". */
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text' })
  commandId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}
