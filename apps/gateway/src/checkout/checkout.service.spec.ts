import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { fakeCommandPath, refusalOf, staffPrincipal as principal } from '../commands/commands.fakes';
import { CheckoutService } from './checkout.service';
import type { HoldRow, HoldsRepository } from './holds.repository';

/** Holds as the ledger wrote them, in memory. */
class FakeHoldsRepository implements Pick<HoldsRepository, keyof HoldsRepository> {
  readonly rows: (HoldRow & { business_id: string })[] = [];

  async find(businessId: string, holdId: string): Promise<HoldRow | null> {
    return this.rows.find((row) => row.business_id === businessId && row.hold_id === holdId) ?? null;
  }

  async ofClient(businessId: string, clientId: string, status?: HoldRow['status']): Promise<HoldRow[] | null> {
    return this.rows.filter((row) => row.business_id === businessId && row.client_id === clientId && (status === undefined || row.status === status));
  }
}

const heldAt = new Date('2026-12-02T10:00:00Z');
const activeHold = {
  business_id: principal.businessId,
  hold_id: '0193b1f2-7a00-7c3d-8e4f-5a6b7c8d9e0f',
  client_id: 'client-1',
  sale_id: 'sale-9',
  currency: 'AED',
  amount: '40.00',
  captured: '0.00',
  status: 'active' as const,
  expires_at: new Date(heldAt.getTime() + 900_000),
  created_at: heldAt,
  ended_at: null,
};

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const path = fakeCommandPath();
  const holdRows = new FakeHoldsRepository();
  holdRows.rows.push(activeHold);
  return {
    ...path,
    holdRows,
    checkout: new CheckoutService(new ClientsService(clientRows as unknown as ClientsRepository), path.submitter, holdRows as unknown as HoldsRepository),
  };
}

describe(CheckoutService.name, () => {
  it('sends a payment with what the sale says; how much applies is the ledger’s decision', async () => {
    const { checkout, transport } = await service();
    const payment = { clientId: 'client-1', currency: 'AED', saleId: 'sale-1', amountOwed: '80.00', amountRequested: '50.00', saleAmount: '100.00' };
    await checkout.pay(principal, payment, 'pay-1');
    expect(transport.sent).toEqual([expect.objectContaining({ type: 'balance.pay', businessId: principal.businessId, ...payment })]);
    // The same Idempotency-Key is the same command.
    await checkout.pay(principal, payment, 'pay-1');
    expect(transport.sent[1].commandId).toBe(transport.sent[0].commandId);
  });

  it('sends a refund once per refund id as the contract has it', async () => {
    const { checkout, transport } = await service();
    const refund = { clientId: 'client-1', currency: 'AED', refundId: 'rf-1', amount: '20.00', saleId: 'sale-1', saleAmount: '100.00' };
    await checkout.refund(principal, refund, undefined);
    expect(transport.sent).toEqual([expect.objectContaining({ type: 'balance.refund', ...refund })]);
  });

  it('refuses a client of another business and sends nothing', async () => {
    const { checkout, transport } = await service();
    const payment = { clientId: 'client-1', currency: 'AED', saleId: 'sale-1', amountOwed: '80.00' };
    expect(await refusalOf(checkout.pay({ ...principal, businessId: 'salon-2' }, payment, undefined))).toEqual({ code: 'not_found' });
    expect(transport.sent).toEqual([]);
  });

  it('refuses an over-precise amount as invalid_amount before the client is looked up', async () => {
    const { checkout } = await service();
    const payment = { clientId: 'nobody', currency: 'JPY', saleId: 'sale-1', amountOwed: '80.5' };
    expect(await refusalOf(checkout.pay(principal, payment, undefined))).toMatchObject({ code: 'invalid_amount' });
  });

  it('places a hold for a client of the business as the till asks; how much is held is the ledger’s decision', async () => {
    const { checkout, transport } = await service();
    const hold = { clientId: 'client-1', currency: 'AED', saleId: 'sale-9', amountOwed: '150.00', saleAmount: '150.00', expiresInSeconds: 600 };
    await checkout.hold(principal, hold, 'hold-1');
    expect(transport.sent).toEqual([expect.objectContaining({ type: 'balance.hold', businessId: principal.businessId, ...hold })]);
  });

  it('captures and releases a hold of the business in its own wallet, whoever the request says', async () => {
    const { checkout, transport } = await service();
    await checkout.capture(principal, activeHold.hold_id, { amount: '30.00' }, 'capture-1');
    await checkout.release(principal, activeHold.hold_id, {}, 'release-1');
    expect(transport.sent).toEqual([
      expect.objectContaining({ type: 'balance.capture', holdId: activeHold.hold_id, clientId: 'client-1', currency: 'AED', amount: '30.00' }),
      expect.objectContaining({ type: 'balance.release', holdId: activeHold.hold_id, clientId: 'client-1', currency: 'AED' }),
    ]);
  });

  it('does not find another business’s hold, nor one whose id is not a hold id, and sends nothing', async () => {
    const { checkout, transport } = await service();
    const other = { ...principal, businessId: 'salon-2' };
    expect(await refusalOf(checkout.capture(other, activeHold.hold_id, {}, undefined))).toMatchObject({ code: 'hold_not_found' });
    expect(await refusalOf(checkout.release(principal, 'not-a-uuid', {}, undefined))).toMatchObject({ code: 'hold_not_found' });
    expect(transport.sent).toEqual([]);
  });

  it('lists a client’s holds with their times as ISO strings, and no client of another business', async () => {
    const { checkout } = await service();
    expect((await checkout.holds(principal, 'client-1', 'active')).items).toEqual([
      { holdId: activeHold.hold_id, saleId: 'sale-9', currency: 'AED', amount: '40.00', captured: '0.00', status: 'active', expiresAt: '2026-12-02T10:15:00.000Z', createdAt: '2026-12-02T10:00:00.000Z', endedAt: null },
    ]);
    expect((await checkout.holds(principal, 'client-1', 'captured')).items).toEqual([]);
  });
});
