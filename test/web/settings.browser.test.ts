import type { Browser, Page } from 'playwright-core';
import { BrowserSessions, expectCount, expectText, screenshots, until } from './browser-support';
import { addBalance, deductBalance, issueGiftCard, type WebServer } from './web-server';
import { webSuite } from './web-suite';

/**
 * Bonus tiers, expiring credit and reversals in the staff web app, in a real headless Chromium against the real
 * gateway, ledger worker, PostgreSQL and Kafka. Screenshots land in test/web/screenshots/.
 */
describe('staff web app: settings, bonus and reversals in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let sessions: BrowserSessions;

  webSuite((started) => ({ server, browser, sessions } = started));

  const dialog = (page: Page) => page.getByRole('dialog');
  const tier = (page: Page, n: number) => page.getByRole('listitem', { name: `Tier ${n}`, exact: true });
  const historyRow = (page: Page, type: string) => page.locator('.history-table tbody tr').filter({ has: page.locator('td[data-label="Type"]', { hasText: type }) });

  async function openClient(page: Page, clientId: string): Promise<void> {
    await page.goto(`${server.url}/clients/${clientId}`);
    await page.locator('.balance-card').first().waitFor();
  }

  it('sets bonus tiers on the settings screen with a live preview, refusing a malformed tier, and the grace period', async () => {
    const page = await sessions.pageAs(server.owner);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expectText(page.locator('main'), 'No bonus in AED: add a tier to start one.');

    await page.getByRole('button', { name: 'Add tier' }).click();
    await tier(page, 1).getByLabel('Top-up of at least').fill('1000');
    await tier(page, 1).getByLabel('Percent').fill('10');
    await expectText(page.locator('.bonus-preview'), 'A top-up of AED 1,000.00 earns AED 100.00 bonus.');

    await page.getByRole('button', { name: 'Add tier' }).click();
    await tier(page, 2).getByLabel('Top-up of at least').fill('500');
    await tier(page, 2).getByLabel('Bonus').selectOption('fixed');
    await tier(page, 2).getByLabel('Amount (AED)').fill('20.005');
    await expectText(tier(page, 2), 'AED allows at most 2 decimals');
    await page.getByRole('button', { name: 'Save AED tiers' }).click();
    await expectText(page.getByRole('alert'), 'Fix the fields marked above first.');
    await tier(page, 2).getByLabel('Amount (AED)').fill('20');
    await page.getByLabel('Try a top-up of').fill('750');
    await expectText(page.locator('.bonus-preview'), 'A top-up of AED 750.00 earns AED 20.00 bonus.');
    await expectText(page.locator('.bonus-preview'), 'A top-up of AED 500.00 earns AED 20.00 bonus.');
    await page.getByLabel('Bonus lasts (days)').fill('90');
    await page.getByRole('button', { name: 'Save AED tiers' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'saved' }), 'AED bonus tiers saved (version 1).');
    await expectText(page.locator('main'), /Version 1, changed .* by Owner/);

    const stored = await server.api.get<{ items: { currency: string; tiers: unknown[]; expiresInDays: number }[] }>('/api/settings/bonus-rules');
    expect(stored.body.items).toEqual([
      expect.objectContaining({
        currency: 'AED',
        tiers: [
          { minAmount: '500.00', fixed: '20.00' },
          { minAmount: '1000.00', percent: '10' },
        ],
        expiresInDays: 90,
      }),
    ]);

    const grace = page.getByLabel('Grace period (days)');
    await expectText(page.locator('main'), 'The default, 30 days, applies until you save another.');
    await grace.fill('400');
    await expectText(page.locator('main'), 'Whole days from 1 to 365');
    await grace.fill('45');
    await page.getByRole('button', { name: 'Save grace period' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Grace period saved' }), 'Grace period saved: 45 days.');
    await screenshots(page, 'settings');
  });

  it('shows Settings only to staff with settings.manage', async () => {
    const page = await sessions.pageAs(server.frontDesk, '/clients');
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    expect(await page.getByRole('link', { name: 'Settings', exact: true }).count()).toBe(0);
    await page.goto(`${server.url}/settings`);
    await expectText(page.locator('main'), 'Your account cannot change the business’s settings.');
  });

  it('offers Reverse only to staff with balance.reverse, only on staff adds and deducts, and asks why', async () => {
    const clientId = await server.createClient('Rania Reverse-Offer');
    await addBalance(server.api, clientId, '60.00');
    await deductBalance(server.api, clientId, '10.00');
    const card = await issueGiftCard(server.api, '15.00');
    expect((await server.api.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code })).status).toBe(200);

    const desk = await sessions.pageAs(server.frontDesk, `/clients/${clientId}/history`);
    await expectCount(desk.locator('.history-table tbody tr'), 3);
    expect(await desk.getByRole('button', { name: 'Reverse', exact: true }).count()).toBe(0);

    const page = await sessions.pageAs(server.owner, `/clients/${clientId}/history`);
    await expectCount(page.locator('.history-table tbody tr'), 3);
    await expectCount(page.getByRole('button', { name: /^Reverse (Balance Added|Balance Deducted) of/ }), 2);
    expect(await historyRow(page, 'Gift Card Redeemed').getByRole('button').count()).toBe(0);
    await screenshots(page, 'history-reverse-actions');
    await page.getByRole('button', { name: 'Reverse Balance Deducted of AED 10.00' }).click();
    await expectText(dialog(page), 'The AED 10.00 deducted on');
    await dialog(page).getByRole('button', { name: 'Reverse entry' }).click();
    await expectText(dialog(page), 'Say why the entry is reversed');
    await screenshots(page, 'reverse-dialog-no-reason');
    await dialog(page).getByRole('button', { name: 'Keep entry' }).click();
    await expectCount(dialog(page), 0);
    await expectCount(page.getByRole('button', { name: /^Reverse (Balance Added|Balance Deducted) of/ }), 2);
  });

  /** These need the ledger core (libs/ledger: bonus rules applied, lots, balance.reverse). */
  describe('with the ledger core', () => {
    it('hints and grants the bonus of a paid top-up with an expiry, and shows the bonus entry and its lot in the history', async () => {
      const rules = await server.api.put('/api/settings/bonus-rules/AED', { tiers: [{ minAmount: '500', fixed: '20' }, { minAmount: '1000', percent: '10' }], expiresInDays: 90 });
      expect(rules.status).toBe(200);
      const clientId = await server.createClient('Basma Bonus');
      const page = await sessions.pageAs(server.frontDesk);
      await openClient(page, clientId);
      await page.getByRole('button', { name: 'Add Balance' }).click();
      await dialog(page).getByLabel('Reference type').selectOption('payment');
      await expectText(dialog(page), 'A top-up of AED 500.00 or more earns a bonus');
      await dialog(page).getByLabel('Amount').fill('1000');
      await expectText(dialog(page), 'This paid top-up earns a bonus of AED 100.00 (10% from AED 1,000.00).');
      const expiresOn = await page.evaluate(() => {
        const date = new Date();
        date.setDate(date.getDate() + 60);
        const pad = (n: number) => String(n).padStart(2, '0');
        return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
      });
      await dialog(page).getByLabel(/Expires on/).fill(expiresOn);
      await screenshots(page, 'add-dialog-bonus');
      await dialog(page).getByRole('button', { name: 'Add AED 1,000.00' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Added' }), 'Added AED 1,000.00 and a bonus of AED 100.00. Balance now AED 1,100.00.');

      await page.getByRole('link', { name: 'History', exact: true }).click();
      await expectCount(page.locator('.history-table tbody tr'), 2);
      await expectText(historyRow(page, 'Bonus Credit'), /Bonus credit · expires/);
      await expectText(historyRow(page, 'Bonus Credit'), 'Bonus tier: 10% from AED 1,000.00');
      await expectText(historyRow(page, 'Balance Added'), /Paid credit · expires/);
      await screenshots(page, 'history-bonus');
    });

    it('reverses a deduction from the history, marks it Reversed, and explains an add whose credit was spent', async () => {
      const clientId = await server.createClient('Rami Reversal');
      await addBalance(server.api, clientId, '50.00');
      await deductBalance(server.api, clientId, '30.00');
      const page = await sessions.pageAs(server.owner, `/clients/${clientId}/history`);
      await expectText(historyRow(page, 'Balance Deducted'), 'from Adjustment AED 30.00');
      await page.getByRole('button', { name: 'Reverse Balance Deducted of AED 30.00' }).click();
      await dialog(page).getByLabel('Reason').fill('Deducted from the wrong client');
      await dialog(page).getByRole('button', { name: 'Reverse entry' }).click();
      await expectCount(dialog(page), 0);
      await expectText(page.getByRole('status').filter({ hasText: 'Reversed.' }), 'Reversed. Balance now AED 50.00.');
      await expectCount(page.locator('.history-table tbody tr'), 3);
      await expectText(historyRow(page, 'Reversal'), 'Reverses an earlier entry');
      await expectText(historyRow(page, 'Balance Deducted'), 'Reversed');
      expect(await page.getByRole('button', { name: /^Reverse Balance Deducted of/ }).count()).toBe(0);
      await screenshots(page, 'history-reversed');
      await page.getByRole('link', { name: 'Balance', exact: true }).click();
      await expectText(page.locator('.recent'), /Balance Deducted\s*Reversed/);
      await page.getByRole('link', { name: 'History', exact: true }).click();

      // The add's credit is partly spent: the ledger refuses, and the dialog says why in the app's words.
      await deductBalance(server.api, clientId, '5.00');
      await page.getByRole('button', { name: '↻ Refresh' }).click();
      await expectCount(page.locator('.history-table tbody tr'), 4);
      await page.getByRole('button', { name: 'Reverse Balance Added of AED 50.00' }).click();
      await dialog(page).getByLabel('Reason').fill('Added to the wrong client');
      await dialog(page).getByRole('button', { name: 'Reverse entry' }).click();
      await expectText(dialog(page).getByRole('alert'), 'This credit has already been spent (or has expired), so it cannot be taken back.');
    });
  });

  it('shows the owner the audit log, filtered by action, and hides it from the front desk', async () => {
    const changed = await server.api.put('/api/settings/credit', { refundGraceDays: 21 });
    expect(changed.status).toBe(200);
    const page = await sessions.pageAs(server.owner);
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const rows = page.locator('.audit-table tbody tr');
    const change = page.locator('.audit-table tbody tr[data-action="credit_settings_changed"]').first();
    await expectText(change, /Owner\s+Changed credit settings refund grace 21 days/);
    await expectText(page.locator('.audit-table tbody tr[data-action="sign_in"]').filter({ hasText: 'Owner' }).first(), /Signed in\s+127\.0\.0\.1/);
    await page.getByLabel('Action').selectOption('credit_settings_changed');
    await until('only credit settings changes are listed', async () => {
      const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
      return actions.length > 0 && actions.every((action) => action === 'credit_settings_changed');
    });
    await screenshots(page, 'audit-log');

    const desk = await sessions.pageAs(server.frontDesk);
    await desk.getByRole('link', { name: 'Clients', exact: true }).waitFor();
    expect(await desk.getByRole('link', { name: 'Audit log', exact: true }).count()).toBe(0);
    await desk.goto(`${server.url}/audit`);
    await expectText(desk.locator('main'), 'Your account cannot view the audit log.');
  });

  it('lets the owner add, deactivate and reactivate staff and create and revoke an API key shown once, and hides staff from the front desk', async () => {
    const page = await sessions.pageAs(server.owner);
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff and API keys' }).waitFor();

    const email = `sami-${Date.now()}@example.com`;
    const addForm = page.getByRole('form', { name: 'Add staff member' });
    await addForm.getByLabel('Email').fill(email);
    await addForm.getByLabel('Name').fill('Sami Staff');
    await addForm.getByLabel('Role').selectOption('manager');
    await addForm.getByLabel('Password').fill('password');
    await addForm.getByRole('button', { name: 'Add staff member' }).click();
    await expectText(addForm.getByRole('alert'), 'at least 12 characters');
    expect(await page.locator(`.staff-table tr[data-email="${email}"]`).count()).toBe(0);
    await addForm.getByLabel('Password').fill('amber lantern harbor 2026');
    await addForm.getByRole('button', { name: 'Add staff member' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'added' }), 'Sami Staff added as Manager.');
    const member = page.locator(`.staff-table tr[data-email="${email}"]`);
    await expectText(member, /Sami Staff.*Manager\s*Active/s);

    await member.getByRole('button', { name: 'Deactivate Sami Staff' }).click();
    await expectText(dialog(page), 'signed out everywhere');
    await dialog(page).getByRole('button', { name: 'Deactivate', exact: true }).click();
    await expectCount(dialog(page), 0);
    await expectText(member, 'Deactivated');
    await member.getByRole('button', { name: 'Reactivate Sami Staff' }).click();
    await dialog(page).getByRole('button', { name: 'Reactivate', exact: true }).click();
    await expectCount(dialog(page), 0);
    await expectText(member, 'Active');

    const keyForm = page.getByRole('form', { name: 'Create key' });
    await keyForm.getByLabel('Key name').fill('Booking system');
    await keyForm.getByLabel('balance.view').check();
    await keyForm.getByLabel('checkout.pay').check();
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    await expectText(dialog(page), 'it is shown only once');
    const secret = (await dialog(page).locator('.api-key-secret').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    const viaKey = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(viaKey.status).toBe(200);
    await dialog(page).getByRole('button', { name: 'I have copied it' }).click();
    await expectCount(dialog(page), 0);
    const keyRow = page.locator('.api-key-table tr[data-key-name="Booking system"]');
    await expectText(keyRow, /balance\.view\s*checkout\.pay/);
    expect(await page.locator('main').textContent()).not.toContain(secret);

    await keyRow.getByRole('button', { name: 'Revoke key Booking system' }).click();
    await dialog(page).getByRole('button', { name: 'Revoke key', exact: true }).click();
    await expectCount(dialog(page), 0);
    await expectText(keyRow, 'Revoked');
    expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    await screenshots(page, 'staff-admin');

    const desk = await sessions.pageAs(server.frontDesk);
    await desk.getByRole('link', { name: 'Clients', exact: true }).waitFor();
    expect(await desk.getByRole('link', { name: 'Staff', exact: true }).count()).toBe(0);
    await desk.goto(`${server.url}/staff`);
    await expectText(desk.locator('main'), 'Your account cannot manage staff or API keys.');
  });
});
