import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Database } from '../database';

export interface ClientRow {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  external_id: string | null;
  created_at: Date;
}

/** What an edit may change; null clears an optional field, a missing key leaves it as it is. */
export interface ClientChanges {
  name?: string;
  phone?: string | null;
  email?: string | null;
  externalId?: string | null;
}

const columnByField: Readonly<Record<keyof ClientChanges, string>> = { name: 'name', phone: 'phone', email: 'email', externalId: 'external_id' };

export type ClientUpdate = { outcome: 'updated'; client: ClientRow } | { outcome: 'not_found' } | { outcome: 'duplicate_external_id' };

@Injectable()
export class ClientsRepository {
  constructor(private readonly db: Database) {}

  find(businessId: string, id: string): Promise<ClientRow | null> {
    return this.db.one<ClientRow>('select * from client where business_id = ? and id = ?', [businessId, id]);
  }

  async exists(businessId: string, id: string): Promise<boolean> {
    return (await this.db.one('select 1 from client where business_id = ? and id = ?', [businessId, id])) !== null;
  }

  async create(businessId: string, client: { id: string; name: string; phone?: string; email?: string; externalId?: string }): Promise<ClientRow | null> {
    const rows = await this.db.query<ClientRow>(
      `insert into client (business_id, id, name, phone, email, external_id) values (?, ?, ?, ?, ?, ?)
       on conflict do nothing returning *`,
      [businessId, client.id, client.name, client.phone ?? null, client.email ?? null, client.externalId ?? null],
    );
    return rows[0] ?? null;
  }

  /** Changes the named fields of one of the business's clients; the unique index on external id decides duplicates. */
  async update(businessId: string, id: string, changes: ClientChanges): Promise<ClientUpdate> {
    const fields = (Object.keys(columnByField) as (keyof ClientChanges)[]).filter((field) => changes[field] !== undefined);
    if (fields.length === 0) throw new Error('ClientsRepository.update needs at least one change');
    const sets = fields.map((field) => `${columnByField[field]} = ?`).join(', ');
    try {
      const rows = await this.db.query<ClientRow>(`update client set ${sets} where business_id = ? and id = ? returning *`, [
        ...fields.map((field) => changes[field]),
        businessId,
        id,
      ]);
      return rows[0] ? { outcome: 'updated', client: rows[0] } : { outcome: 'not_found' };
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return { outcome: 'duplicate_external_id' };
      throw error;
    }
  }

  /**
   * Clients matching a search by name, phone, email or external id, ordered by name, after the sort key `after`
   * (lower(name), id), at most `rowsMax`.
   */
  search(businessId: string, query: string | undefined, after: readonly [string, string] | null, rowsMax: number): Promise<ClientRow[]> {
    const conditions = ['business_id = ?'];
    const params: unknown[] = [businessId];
    if (query !== undefined && query.trim() !== '') {
      const like = `%${query.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(`(lower(name) like ? or lower(coalesce(email, '')) like ? or coalesce(phone, '') like ? or lower(coalesce(external_id, '')) like ?)`);
      params.push(like, like, like, like);
    }
    if (after) {
      conditions.push('(lower(name), id) > (?, ?)');
      params.push(after[0], after[1]);
    }
    return this.db.query<ClientRow>(`select * from client where ${conditions.join(' and ')} order by lower(name), id limit ?`, [...params, rowsMax]);
  }
}
