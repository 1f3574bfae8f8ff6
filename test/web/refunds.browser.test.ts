import type { Browser, Page } from 'playwright-core';
import { BrowserSessions, expectCount, expectText, screenshots } from './browser-support';
import { addBalance, type WebServer } from './web-server';
import { webSuite } from './web-suite';

/**
 * The refund screen in a real headless Chromium against the real gateway, ledger worker, PostgreSQL and Kafka: what
 * is still refundable, refunds bounded by it, and a double click that refunds once. Screenshots land in
 * test/web/screenshots/.
 */
describe('staff web app: refunds into balance in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let sessions: BrowserSessions;

  webSuite((started) => ({ server, browser, sessions } = started));

  const dialog = (page: Page) => page.getByRole('dialog');
  const paymentRow = (page: Page, paymentCommandId: string) => page.locator(`tr[data-payment="${paymentCommandId}"]`).first();

  async function pay(clientId: string, saleId: string, amountOwed: string): Promise<string> {
    const answer = await server.api.post<{ commandId: string; status: string }>('/api/checkout/payments', { clientId, currency: 'AED', saleId, amountOwed });
    expect(answer.body.status).toBe('applied');
    return answer.body.commandId;
  }

  async function refundCredits(clientId: string): Promise<string[]> {
    const rows = await server.db.query<{ amount: string }>(
      "select amount::text as amount from ledger_entry where business_id = $1 and client_id = $2 and type = 'refund_credit' order by sequence",
      [server.biz.businessId, clientId],
    );
    return rows.map((row) => row.amount);
  }

  it('refunds part of a payment, shows what is still refundable, refuses more, and refunds once on a double click', async () => {
    const clientId = await server.createClient('Rima Refund');
    await addBalance(server.api, clientId, '100.00');
    const saleId = `sale-${Date.now().toString(36)}`;
    const paymentCommandId = await pay(clientId, saleId, '30.00');

    const page = await sessions.pageAs(server.owner, `/clients/${clientId}`);
    await page.getByRole('link', { name: 'Refund a payment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Refunds' }).waitFor();
    await expectText(page.locator('main'), 'Balance payments of Rima Refund');
    await expectText(paymentRow(page, paymentCommandId).locator('[data-figure="refundable"]'), 'AED 30.00');
    await screenshots(page, 'refunds-payments');

    // Part of it: the amount starts at all that is refundable.
    await paymentRow(page, paymentCommandId).getByRole('button', { name: `Refund payment of sale ${saleId}` }).click();
    const amount = dialog(page).getByLabel('Amount to refund (AED)');
    expect(await amount.inputValue()).toBe('30.00');
    await amount.fill('10');
    await dialog(page).getByRole('button', { name: 'Refund AED 10.00 into balance' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Refunded' }), 'Refunded AED 10.00 into the balance. Balance now AED 80.00.');
    await expectCount(dialog(page), 0);
    await expectText(paymentRow(page, paymentCommandId).locator('[data-figure="refundable"]'), 'AED 20.00');

    // More than is refundable: refused before anything is sent.
    await paymentRow(page, paymentCommandId).getByRole('button', { name: `Refund payment of sale ${saleId}` }).click();
    await amount.fill('20.01');
    await expectText(dialog(page), 'More than the AED 20.00 still refundable');
    expect(await dialog(page).getByRole('button', { name: 'Refund into balance' }).isDisabled()).toBe(true);
    await screenshots(page, 'refunds-dialog-too-much');

    // A double click refunds once: two clicks in one task, before React has re-rendered the button as busy.
    await amount.fill('5');
    await dialog(page)
      .getByRole('button', { name: 'Refund AED 5.00 into balance' })
      .evaluate((button) => {
        const clickable = button as unknown as { click(): void };
        clickable.click();
        clickable.click();
      });
    await expectText(page.getByRole('status').filter({ hasText: 'Refunded' }), 'Refunded AED 5.00 into the balance. Balance now AED 85.00.');
    await expectText(paymentRow(page, paymentCommandId).locator('[data-figure="refundable"]'), 'AED 15.00');
    expect(await refundCredits(clientId)).toEqual(['10.00', '5.00']);
    const [wallet] = await server.db.query<{ balance: string }>('select balance::text as balance from wallet where business_id = $1 and client_id = $2', [
      server.biz.businessId,
      clientId,
    ]);
    expect(wallet.balance).toBe('85.00');

    // A sale found by its id shows the same figures.
    await page.getByLabel('Sale id').fill(saleId);
    await page.getByRole('button', { name: 'Find sale' }).click();
    await expectText(page.locator('[data-figure="sale-refundable"]'), 'AED 15.00');
    await screenshots(page, 'refunds-sale');
  });

  it('explains the ledger’s refusal when the figures shown are out of date', async () => {
    const clientId = await server.createClient('Omar Outdated');
    await addBalance(server.api, clientId, '50.00');
    const saleId = `sale-${Date.now().toString(36)}-b`;
    const paymentCommandId = await pay(clientId, saleId, '20.00');
    const page = await sessions.pageAs(server.owner, `/refunds?clientId=${clientId}`);
    await paymentRow(page, paymentCommandId).getByRole('button', { name: `Refund payment of sale ${saleId}` }).click();
    // Another desk refunds first.
    const other = await server.api.post('/api/refunds', { clientId, currency: 'AED', refundId: `${saleId}-desk-2`, amount: '15.00', paymentCommandId });
    expect(other.status).toBe(200);
    await dialog(page).getByRole('button', { name: 'Refund AED 20.00 into balance' }).click();
    await expectText(dialog(page).getByRole('alert'), 'That is more than is still refundable of this payment');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expectText(paymentRow(page, paymentCommandId).locator('[data-figure="refundable"]'), 'AED 5.00');
    expect(await refundCredits(clientId)).toEqual(['15.00']);
  });

  it('shows Refunds only to staff with refund.credit', async () => {
    const page = await sessions.pageAs(server.frontDesk, '/clients');
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    expect(await page.getByRole('link', { name: 'Refunds', exact: true }).count()).toBe(0);
    await page.goto(`${server.url}/refunds`);
    await expectText(page.locator('main'), 'Your account cannot refund into balance.');
  });
});
