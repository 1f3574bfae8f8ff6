import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { StoredReply } from '@storecredit/contracts';

/** The first outcome of a command id, replayed for every later delivery of the same command. */
@Entity({ tableName: 'idempotency_record' })
export class IdempotencyRecord {
  [PrimaryKeyProp]?: ['businessId', 'commandId'];

  @PrimaryKey({ type: 'text' })
  businessId!: string;

  @PrimaryKey({ type: 'text' })
  commandId!: string;

  @Property({ type: 'text' })
  commandType!: string;

  /** SHA-256 of the command's canonical JSON: the same id with another payload is a conflict. */
  @Property({ type: 'text' })
  payloadHash!: string;

  @Property({ type: 'json' })
  reply!: StoredReply;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;
}
