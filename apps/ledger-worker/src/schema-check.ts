import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';

/**
 * Refuses to start a worker on a database whose schema is behind it (migrations run as a step of their own, never
 * on worker boot). Before any consumer starts: a worker whose SQL needs a newer schema would otherwise fail every
 * group it applies, and then every one of its commands again alone.
 */
@Injectable()
export class SchemaCheck implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    const pending = await this.orm.migrator.getPending();
    if (pending.length === 0) return;
    const names = pending.map((migration) => migration.name).join(', ');
    throw new Error(`the database schema is behind this worker: ${pending.length} migration(s) pending (${names}); run \`npm run migrate\` first`);
  }
}
