import { staffPrincipal as principal, refusalOf } from '../commands/commands.fakes';
import type { ClientsRepository } from './clients.repository';
import { FakeClientsRepository } from './clients.fakes';
import { ClientsService } from './clients.service';

function service() {
  const repository = new FakeClientsRepository();
  return { repository, clients: new ClientsService(repository as unknown as ClientsRepository) };
}

describe(ClientsService.name, () => {
  it('keeps the id the host system gives, and makes one when it gives none', async () => {
    const { clients } = service();
    expect(await clients.create(principal, { id: 'pos-42', name: 'Layla' })).toEqual({
      id: 'pos-42',
      name: 'Layla',
      phone: null,
      email: null,
      externalId: null,
      createdAt: '2026-12-01T10:00:00.000Z',
    });
    const made = await clients.create(principal, { name: 'Omar' });
    expect(made.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
  });

  it('refuses a second client with the same id or external id (409 client_exists, naming the field)', async () => {
    const { clients } = service();
    await clients.create(principal, { id: 'c-1', name: 'Layla', externalId: 'ext-1' });
    await clients.create(principal, { id: 'c-2', name: 'Omar' });
    expect(await refusalOf(clients.create(principal, { id: 'c-1', name: 'Again' }))).toEqual({ code: 'client_exists', details: { field: 'id' } });
    expect(await refusalOf(clients.update(principal, 'c-2', { externalId: 'ext-1' }))).toEqual({ code: 'client_exists', details: { field: 'externalId' } });
  });

  it('changes only the named fields; null clears one', async () => {
    const { clients } = service();
    await clients.create(principal, { id: 'c-1', name: 'Layla', phone: '+971 50 123 4567', email: 'l@example.com' });
    expect(await clients.update(principal, 'c-1', { phone: null, name: 'Layla H.' })).toMatchObject({ name: 'Layla H.', phone: null, email: 'l@example.com' });
  });

  it('does not find another business’s client, to read, change or send a command about', async () => {
    const { clients } = service();
    await clients.create({ ...principal, businessId: 'salon-2' }, { id: 'c-1', name: 'Elsewhere' });
    expect(await refusalOf(clients.get(principal, 'c-1'))).toEqual({ code: 'not_found' });
    expect(await refusalOf(clients.update(principal, 'c-1', { name: 'Mine now' }))).toEqual({ code: 'not_found' });
    expect(await refusalOf(clients.requireClient(principal, 'c-1'))).toEqual({ code: 'not_found' });
    expect((await clients.search(principal, undefined, undefined, 10)).items).toEqual([]);
  });

  it('pages through clients by name with a cursor, and refuses a cursor it did not write', async () => {
    const { clients } = service();
    for (const [id, name] of [['c-3', 'carla'], ['c-1', 'Amira'], ['c-2', 'Bilal']]) await clients.create(principal, { id, name });
    const first = await clients.search(principal, undefined, undefined, 2);
    expect(first.items.map((client) => client.name)).toEqual(['Amira', 'Bilal']);
    const second = await clients.search(principal, undefined, first.nextCursor ?? undefined, 2);
    expect(second).toEqual({ items: [expect.objectContaining({ name: 'carla' })], nextCursor: null });
    expect(await refusalOf(clients.search(principal, undefined, 'not-a-cursor', 2))).toEqual({ code: 'invalid_cursor', details: { parameter: 'cursor' } });
  });
});
