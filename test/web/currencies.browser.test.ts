import type { Browser, Locator, Page } from 'playwright-core';
import { BrowserSessions, expectCount, expectText, screenshots, until } from './browser-support';
import { addBalance, type WebServer } from './web-server';
import { webSuite } from './web-suite';

/**
 * Business currencies and role changes in the staff web app, in a real headless Chromium against the real gateway,
 * worker, PostgreSQL and Kafka. A server of its own: its business's currencies change here.
 */
describe('staff web app: currencies and roles in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let sessions: BrowserSessions;

  webSuite((started) => ({ server, browser, sessions } = started));

  const dialog = (page: Page) => page.getByRole('dialog');
  const options = (scope: Page | Locator, label: string) => scope.getByLabel(label, { exact: true }).locator('option').allTextContents();

  it('sets SAR as default with SAR and AED accepted; forms start in SAR, and a client’s USD stays on the card', async () => {
    const clientId = await server.createClient('Umar USD-Holder');
    await addBalance(server.api, clientId, '30.00', 'USD');

    const page = await sessions.pageAs(server.owner, '/settings');
    const section = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Currencies' }) });
    await expectText(section, 'Not chosen yet: AED is the default');
    await section.getByLabel('Currency to accept').selectOption('SAR');
    await section.getByRole('button', { name: 'Accept', exact: true }).click();
    await section.getByLabel('Default currency').selectOption('SAR');
    await section.getByRole('button', { name: 'Save currencies' }).click();
    await expectText(section.getByRole('status'), 'Saved: SAR by default, accepting AED, SAR.');
    await screenshots(page, 'settings-currencies');
    expect((await server.api.get('/api/settings/currencies')).body).toEqual({ defaultCurrency: 'SAR', accepted: ['AED', 'SAR'], chosen: true });

    await page.goto(`${server.url}/clients/${clientId}`);
    await expectCount(page.locator('.balance-card'), 3);
    expect(await page.locator('.balance-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-currency')))).toEqual(['SAR', 'AED', 'USD']);
    await expectText(page.locator('.balance-card[data-currency="USD"]'), '30.00');

    await page.getByRole('button', { name: 'Add Balance' }).click();
    expect(await dialog(page).getByLabel('Currency').inputValue()).toBe('SAR');
    expect(await options(dialog(page), 'Currency')).toEqual(['SAR', 'AED']);
    await page.keyboard.press('Escape');
    await expectCount(dialog(page), 0);
    await page.getByRole('button', { name: 'Deduct Balance' }).click();
    expect(await options(dialog(page), 'Currency')).toEqual(['USD']);
    await page.keyboard.press('Escape');

    await page.goto(`${server.url}/gift-cards`);
    const issue = page.locator('form.issue-form');
    // A fresh page: the form follows the business's settings once they arrive.
    await until('the issue form starts in SAR', async () => (await issue.getByLabel('Currency').inputValue()) === 'SAR');
    expect(await options(issue, 'Currency')).toEqual(['SAR', 'AED']);
  });

  it('changes a member’s role on the Staff screen, and their open session holds the new permissions', async () => {
    const desk = await sessions.pageAs(server.frontDesk, '/clients');
    await desk.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    expect(await desk.getByRole('link', { name: 'Reports' }).count()).toBe(0);

    const page = await sessions.pageAs(server.owner, '/staff');
    await page.getByRole('button', { name: `Change the role of ${server.frontDesk.name}` }).click();
    await dialog(page).getByLabel('Role').selectOption('manager');
    expect(await dialog(page).getByRole('checkbox', { name: 'reports.view' }).isChecked()).toBe(true);
    await screenshots(page, 'staff-change-role');
    await dialog(page).getByRole('button', { name: 'Save role' }).click();
    await expectText(page.getByRole('status'), `${server.frontDesk.name} is now Manager.`);
    await expectText(page.locator(`tr[data-email="${server.frontDesk.email}"]`), 'Manager');

    await desk.reload();
    await desk.getByRole('link', { name: 'Reports' }).waitFor();
  });
});
