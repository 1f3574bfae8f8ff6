import type { ClientChanges, ClientRow, ClientsRepository, ClientUpdate } from './clients.repository';

/**
 * The client table in memory, for unit specs (never built into the app): one row per business and id, external ids
 * unique per business, as the table's keys decide. Search here ignores the text query (that is SQL's part).
 */
export class FakeClientsRepository implements Pick<ClientsRepository, 'find' | 'exists' | 'create' | 'update' | 'search'> {
  readonly rows = new Map<string, ClientRow & { business_id: string }>();

  async find(businessId: string, id: string): Promise<ClientRow | null> {
    return this.rows.get(`${businessId}/${id}`) ?? null;
  }

  async exists(businessId: string, id: string): Promise<boolean> {
    return this.rows.has(`${businessId}/${id}`);
  }

  async create(businessId: string, client: { id: string; name: string; phone?: string; email?: string; externalId?: string }): Promise<ClientRow | null> {
    if (this.rows.has(`${businessId}/${client.id}`) || this.externalIdTaken(businessId, client.externalId ?? null, null)) return null;
    const row = {
      business_id: businessId,
      id: client.id,
      name: client.name,
      phone: client.phone ?? null,
      email: client.email ?? null,
      external_id: client.externalId ?? null,
      created_at: new Date('2026-12-01T10:00:00.000Z'),
    };
    this.rows.set(`${businessId}/${client.id}`, row);
    return row;
  }

  async update(businessId: string, id: string, changes: ClientChanges): Promise<ClientUpdate> {
    const row = this.rows.get(`${businessId}/${id}`);
    if (!row) return { outcome: 'not_found' };
    if (changes.externalId !== undefined && this.externalIdTaken(businessId, changes.externalId, id)) return { outcome: 'duplicate_external_id' };
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.phone !== undefined) row.phone = changes.phone;
    if (changes.email !== undefined) row.email = changes.email;
    if (changes.externalId !== undefined) row.external_id = changes.externalId;
    return { outcome: 'updated', client: row };
  }

  async search(businessId: string, _query: string | undefined, after: readonly [string, string] | null, rowsMax: number): Promise<ClientRow[]> {
    const key = (row: ClientRow): [string, string] => [row.name.toLowerCase(), row.id];
    const isAfter = (row: ClientRow) => after === null || key(row)[0] > after[0] || (key(row)[0] === after[0] && key(row)[1] > after[1]);
    return [...this.rows.values()]
      .filter((row) => row.business_id === businessId && isAfter(row))
      .sort((a, b) => (key(a)[0] === key(b)[0] ? (key(a)[1] < key(b)[1] ? -1 : 1) : key(a)[0] < key(b)[0] ? -1 : 1))
      .slice(0, rowsMax);
  }

  private externalIdTaken(businessId: string, externalId: string | null, except: string | null): boolean {
    if (externalId === null) return false;
    return [...this.rows.values()].some((row) => row.business_id === businessId && row.external_id === externalId && row.id !== except);
  }
}
