import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import { ClientsRepository, type ClientChanges, type ClientRow } from './clients.repository';

export interface ClientView {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  externalId: string | null;
  createdAt: string;
}

export function clientView(row: ClientRow): ClientView {
  return { id: row.id, name: row.name, phone: row.phone, email: row.email, externalId: row.external_id, createdAt: new Date(row.created_at).toISOString() };
}

export interface NewClient {
  id?: string;
  name: string;
  phone?: string;
  email?: string;
  externalId?: string;
}

/** The business's client directory; a client of another business is not found, never forbidden. */
@Injectable()
export class ClientsService {
  constructor(private readonly clients: ClientsRepository) {}

  /** Clients by name, keyset-paginated on (lower(name), id). */
  async search(principal: Principal, query: string | undefined, cursor: string | undefined, limit: number): Promise<Page<ClientView>> {
    const after = decodeCursor(cursor, ['text', 'text']);
    const rows = await this.clients.search(principal.businessId, query, after, limit + 1);
    return pageOf(rows, limit, (row) => [row.name.toLowerCase(), row.id], clientView);
  }

  async get(principal: Principal, id: string): Promise<ClientView> {
    const client = await this.clients.find(principal.businessId, id);
    if (!client) throw clientNotFound();
    return clientView(client);
  }

  /** A client the caller names keeps the host system's id; one without an id gets a new one. */
  async create(principal: Principal, client: NewClient): Promise<ClientView> {
    const created = await this.clients.create(principal.businessId, { ...client, id: client.id ?? uuidv7() });
    if (!created) throw new ApiError('client_exists', { field: 'id' }, 'A client with this id or external id already exists');
    return clientView(created);
  }

  async update(principal: Principal, id: string, changes: ClientChanges): Promise<ClientView> {
    const update = await this.clients.update(principal.businessId, id, changes);
    if (update.outcome === 'not_found') throw clientNotFound();
    if (update.outcome === 'duplicate_external_id') throw new ApiError('client_exists', { field: 'externalId' });
    return clientView(update.client);
  }

  /** Commands about a client of another business (or none) are refused before they reach the ledger. */
  async requireClient(principal: Principal, id: string): Promise<void> {
    if (!(await this.clients.exists(principal.businessId, id))) throw clientNotFound();
  }
}

export function clientNotFound(): ApiError {
  return new ApiError('not_found', undefined, 'Client not found');
}
