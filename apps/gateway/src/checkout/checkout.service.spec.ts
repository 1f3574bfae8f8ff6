import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { fakeCommandPath, refusalOf, staffPrincipal as principal } from '../commands/commands.fakes';
import { CheckoutService } from './checkout.service';

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const path = fakeCommandPath();
  return { ...path, checkout: new CheckoutService(new ClientsService(clientRows as unknown as ClientsRepository), path.submitter) };
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
});
