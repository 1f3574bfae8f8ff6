import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { writeGiftCard, writeWallet } from '../support/credit-ledger';
import { startWebServer, type Login, type WebServer } from './web-server';

/**
 * The Reports screen and the history's CSV export in a real headless Chromium (Debian's package) against the real
 * gateway and PostgreSQL, on credit lots written as test/reports.test.ts writes them. Screenshots in test/web/screenshots/.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };
declare function requestAnimationFrame(callback: () => void): number;

const screenshotDir = join(__dirname, 'screenshots');
const waitMs = 15_000;
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };

/** The screen at a desk's width and a phone's, nothing sticking out sideways. */
async function screenshots(page: Page, name: string, heightMax = 3200): Promise<void> {
  for (const viewport of [desktop, phone]) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    // The charts follow their container's width (ResizeObserver): give them a moment at the new width.
    await page.waitForTimeout(200);
    const { scrollWidth, scrollHeight } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight }));
    expect({ screen: name, width: scrollWidth }).toEqual({ screen: name, width: viewport.width });
    await page.screenshot({ path: join(screenshotDir, `${name}-${viewport.width}.png`), fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height: Math.min(heightMax, scrollHeight) } });
  }
  await page.setViewportSize(desktop);
}

describe('reports in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let clientId: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [server, browser] = await Promise.all([startWebServer(), chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })]);
    clientId = await server.createClient('Reem Report');
    await writeWallet(server.db, {
      businessId: server.biz.businessId,
      clientId,
      currency: 'AED',
      steps: [
        { at: '2026-01-10T10:00:00.000Z', type: 'balance_added', amount: '100.00', lot: 'L1', source: 'paid', note: '=HYPERLINK("http://evil.example","x")' },
        { at: '2026-01-10T10:00:00.001Z', type: 'bonus_credit', amount: '20.00', lot: 'L2', source: 'bonus', expiresAt: '2026-04-10T10:00:00.000Z' },
        { at: '2026-02-01T12:00:00.000Z', type: 'used_for_payment', draws: { L2: '5.00' } },
        { at: '2026-03-05T09:00:00.000Z', type: 'gift_card_redeemed', amount: '50.00', lot: 'L3', source: 'gift_card' },
        { at: '2026-04-11T00:00:05.000Z', type: 'balance_expired', draws: { L2: '15.00' } },
        { at: '2026-05-20T15:00:00.000Z', type: 'balance_deducted', draws: { L1: '40.00' } },
        { at: '2026-09-01T00:00:00.000Z', type: 'refund_credit', amount: '12.00', lot: 'L5', source: 'refund', expiresAt: '2027-06-20T00:00:00.000Z' },
      ],
    });
    await writeGiftCard(server.db, server.biz.businessId, { amount: '100.00', currency: 'AED', createdAt: '2026-02-01T00:00:00Z', status: 'active' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function pageAs(login: Login, path = '/'): Promise<Page> {
    const context = await browser.newContext({ viewport: desktop, locale: 'en-US', acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The app's own styles and scripts only: a chart that needs inline styles or scripts would be refused by the CSP.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(server.url + path);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  async function downloaded(page: Page, link: string): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  it('shows the owner the liability with a chart and its tables, loads the chart only there, and downloads the CSV', async () => {
    const page = await pageAs(server.owner);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    expect(scripts.filter((url) => url.includes('ReportsRoute'))).toEqual([]);

    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Store credit liability' }).waitFor();
    const aed = page.locator('.report-currency[data-currency="AED"]');
    await aed.locator('.report-total', { hasText: 'AED 122.00' }).waitFor();
    expect(scripts.filter((url) => url.includes('ReportsRoute'))).toHaveLength(1);
    expect(await aed.locator('.report-chart svg.recharts-surface').count()).toBe(2);
    expect(await aed.locator('.report-chart .recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const bySource = aed.locator('table', { has: page.locator('caption', { hasText: 'By source' }) });
    expect(await bySource.locator('tr', { hasText: 'Paid' }).innerText()).toContain('AED 60.00');
    expect(await bySource.locator('tr', { hasText: 'Gift card' }).innerText()).toContain('AED 50.00');
    expect(await bySource.locator('tfoot').innerText()).toContain('AED 122.00');
    expect(await aed.innerText()).toContain('1 unredeemed gift card: AED 100.00');
    const breakage = aed.locator('table', { has: page.locator('caption', { hasText: 'Breakage' }) });
    expect(await breakage.innerText()).toMatch(/2026-04 · Bonus\s+AED 15\.00/);
    await screenshots(page, 'reports');

    await page.getByLabel('As of').fill('2026-03-31');
    await aed.locator('.report-total', { hasText: 'AED 165.00' }).waitFor();
    expect(page.url()).toContain('asOf=2026-03-31');
    await page.getByLabel('Currency').selectOption('AED');
    await page.waitForURL(/currency=AED/);
    const csv = await downloaded(page, 'Download CSV');
    expect(csv.name).toMatch(/^liability-2026-03-3[01]-AED\.csv$/);
    expect(csv.text.split('\n')[0]).toBe('table,currency,category,month,amount,count');
    expect(csv.text).toContain('outstanding,AED,total,,165.00,');
  });

  it('offers Reports only to staff with reports.view', async () => {
    const page = await pageAs(server.frontDesk);
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    expect(await page.getByRole('link', { name: 'Reports', exact: true }).count()).toBe(0);
    await page.goto(`${server.url}/reports`);
    await page.getByText('Your account cannot view reports.').waitFor();
  });

  it('exports the client’s history with the filters on screen, a note that is a formula kept as text', async () => {
    const page = await pageAs(server.owner, `/clients/${clientId}/history?type=balance_added&type=balance_deducted`);
    await page.locator('.history-table tbody tr').first().waitFor();
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe(`/api/clients/${clientId}/transactions.csv?type=balance_added&type=balance_deducted`);
    const csv = await downloaded(page, 'Export CSV');
    expect(csv.name).toBe(`transactions-${clientId}.csv`);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('date,type,amount,balance after,currency,reference type,reference id,note,actor,entry id');
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(['balance_added', 'balance_deducted']);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines[2]).toContain(',-40.00,');
  });
});
