import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { buildCommand } from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import { CommandTransport } from '../../apps/gateway/src/commands/command-transport';
import { addBalance, deductBalance, issueGiftCard, placeHold, startWebServer, type Login, type WebServer } from './web-server';

/**
 * The staff web app in a real headless Chromium (Debian's package, never a downloaded browser) against the
 * real gateway, ledger worker, PostgreSQL and Kafka. Screenshots land in test/web/screenshots/.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The browser globals that functions passed to evaluate() use; the project's Node types have no DOM.
declare const document: { activeElement: unknown; documentElement: { scrollWidth: number; scrollHeight: number } };
declare const window: { scrollTo(x: number, y: number): void; dispatchEvent(event: unknown): boolean };
declare const Event: new (type: string) => unknown;
declare function getComputedStyle(element: unknown): { color: string; outlineColor: string; borderTopColor: string; backgroundColor: string };
declare function requestAnimationFrame(callback: () => void): number;

const screenshotDir = join(__dirname, 'screenshots');
const waitMs = 15_000;
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  const matches = (text: string) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
  try {
    await until(`text ${expected}`, async () => matches((await locator.innerText().catch(() => '')) ?? ''));
  } catch {
    expect(await locator.innerText().catch((error: Error) => `(no element: ${error.message})`)).toMatch(expected);
  }
}

async function expectCount(locator: Locator, count: number): Promise<void> {
  try {
    await until(`${count} elements`, async () => (await locator.count()) === count);
  } catch {
    expect(await locator.count()).toBe(count);
  }
}

async function expectValue(locator: Locator, value: string): Promise<void> {
  try {
    await until(`value ${value}`, async () => (await locator.inputValue()) === value);
  } catch {
    expect(await locator.inputValue()).toBe(value);
  }
}

/** The screen at a desk's width and a phone's: the whole page, or its top `heightMax` pixels. */
async function screenshots(page: Page, name: string, heightMax = 2400): Promise<void> {
  for (const viewport of [desktop, phone]) {
    await page.setViewportSize(viewport);
    // Two frames, so the new width has been laid out and painted.
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    const { scrollWidth, scrollHeight } = await page.evaluate(() => {
      const { scrollWidth, scrollHeight } = document.documentElement;
      return { scrollWidth, scrollHeight };
    });
    // Nothing may stick out sideways, at a phone's width least of all.
    expect({ screen: name, width: scrollWidth }).toEqual({ screen: name, width: viewport.width });
    const height = Math.min(heightMax, scrollHeight);
    await page.screenshot({ path: join(screenshotDir, `${name}-${viewport.width}.png`), fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height } });
  }
  await page.setViewportSize(desktop);
}

/** WCAG 2.1 contrast ratio of two computed `rgb(r, g, b)` colours. */
function contrastRatio(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
      const s = Number(c) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

function todayInBrowser(page: Page, plusDays = 0): Promise<string> {
  return page.evaluate((days) => {
    const date = new Date();
    date.setDate(date.getDate() + days);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }, plusDays);
}

describe('staff web app in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  const sessions = new Map<string, string>();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [server, browser] = await Promise.all([startWebServer(), chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function newPage(viewport = desktop, hasTouch = false): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-US', hasTouch });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  /** Signs in through the sign-in screen once per login, then reuses the session cookie. */
  async function pageAs(login: Login, path = '/', viewport = desktop, hasTouch = false): Promise<Page> {
    const page = await newPage(viewport, hasTouch);
    const token = sessions.get(login.email);
    if (token) {
      await page.context().addCookies([{ name: 'sc_session', value: token, url: server.url }]);
      await page.goto(server.url + path);
      return page;
    }
    await page.goto(server.url + path);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sc_session');
    if (!cookie) throw new Error('sign-in set no session cookie');
    sessions.set(login.email, cookie.value);
    return page;
  }

  async function openClient(page: Page, name: string): Promise<void> {
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByLabel('Search clients').fill(name);
    await page.getByRole('link', { name: new RegExp(name) }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.locator('.balance-card').first().waitFor();
  }

  const balanceCard = (page: Page, currency = 'AED') => page.locator(`.balance-card[data-currency="${currency}"]`);
  const dialog = (page: Page) => page.getByRole('dialog');

  it('signs the owner in and offers every balance action, each currency formatted as it should be', async () => {
    const client = await server.createClient('Nadia Multi-Currency', { phone: '+971 50 000 0001', email: 'nadia@example.com' });
    await addBalance(server.api, client, '150', 'AED');
    await addBalance(server.api, client, '5000', 'JPY');
    await addBalance(server.api, client, '12.5', 'KWD');

    const page = await newPage();
    await page.goto(server.url);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'Email or password is incorrect');

    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    sessions.set(server.owner.email, (await page.context().cookies()).find((c) => c.name === 'sc_session')?.value ?? '');
    await page.getByLabel('Search clients').fill('nadia@');
    await page.getByRole('link', { name: /Nadia Multi-Currency/ }).click();

    await expectText(balanceCard(page, 'AED'), 'AED 150.00');
    await expectText(balanceCard(page, 'JPY'), 'JPY 5,000');
    await expectText(balanceCard(page, 'KWD'), 'KWD 12.500');
    await expectCount(page.getByText('Has Balance', { exact: true }), 3);
    expect(await balanceCard(page, 'AED').locator('.balance-amount').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(10, 122, 51)');
    for (const action of ['Add Balance', 'Deduct Balance', 'Redeem Gift Card']) {
      expect(await page.getByRole('button', { name: action }).isEnabled()).toBe(true);
    }
    expect(await page.getByRole('link', { name: 'Gift cards' }).count()).toBe(1);
    await expectText(page.locator('.recent'), 'Balance Added');
    await screenshots(page, 'balance-tab');
  });

  it('shows front desk only the actions its permissions allow', async () => {
    const client = await server.createClient('Farah Front-Desk-View');
    await addBalance(server.api, client, '80.00');
    const page = await pageAs(server.frontDesk);
    await openClient(page, 'Farah Front-Desk-View');
    await expectText(balanceCard(page), 'AED 80.00');
    await expectText(page.locator('.recent .entry-row').first(), /Balance Added[\s\S]*· Owner$/m);
    await page.getByRole('button', { name: 'Add Balance' }).waitFor();
    await page.getByRole('button', { name: 'Redeem Gift Card' }).waitFor();
    expect(await page.getByRole('button', { name: 'Deduct Balance' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Gift cards' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Checkout' }).count()).toBe(1);
    await page.goto(`${server.url}/gift-cards`);
    await expectText(page.locator('main'), 'Your account cannot manage gift cards.');
  });

  it('adds and deducts, validating the amount as it is typed and refusing an overdraft inside the dialog', async () => {
    await server.createClient('Omar Add-Deduct');
    const page = await pageAs(server.owner);
    await openClient(page, 'Omar Add-Deduct');
    await expectText(balanceCard(page), 'AED 0.00');
    await expectText(balanceCard(page), 'No Balance');
    expect(await page.getByRole('button', { name: 'Deduct Balance' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Add Balance' }).click();
    const amount = dialog(page).getByLabel('Amount');
    expect(await amount.evaluate((el) => el === document.activeElement)).toBe(true);
    for (const [typed, problem] of [
      ['abc', 'Use digits and a decimal point only'],
      ['0', 'Amount must be more than zero'],
      ['10.555', 'AED allows at most 2 decimals'],
    ]) {
      await amount.fill(typed);
      await expectText(dialog(page), problem);
      expect(await amount.getAttribute('aria-invalid')).toBe('true');
    }
    await dialog(page).getByLabel('Currency').selectOption('JPY');
    await amount.fill('1.5');
    await expectText(dialog(page), 'JPY amounts have no decimals');
    await dialog(page).getByLabel('Currency').selectOption('AED');
    await amount.fill('25.50');
    await dialog(page).getByLabel('Reference type').selectOption('adjustment');
    await dialog(page).getByLabel('Note').fill('Birthday top-up');
    await dialog(page).getByRole('button', { name: 'Add AED 25.50' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Added' }), 'Added AED 25.50. Balance now AED 25.50.');
    await expectCount(dialog(page), 0);
    await expectText(balanceCard(page), 'AED 25.50');
    await expectText(balanceCard(page), 'Has Balance');
    await expectText(page.locator('.recent'), /Balance Added[\s\S]*Birthday top-up[\s\S]*\+AED 25\.50/);

    // Esc closes a dialog and nothing changes.
    await page.getByRole('button', { name: 'Deduct Balance' }).click();
    await dialog(page).waitFor();
    await page.keyboard.press('Escape');
    await expectCount(dialog(page), 0);
    expect(await page.getByRole('button', { name: 'Deduct Balance' }).evaluate((el) => el === document.activeElement)).toBe(true);

    await page.getByRole('button', { name: 'Deduct Balance' }).click();
    await dialog(page).getByLabel('Amount').fill('30');
    await expectText(dialog(page), 'More than the available AED 25.50');
    await screenshots(page, 'deduct-dialog');
    await expectText(balanceCard(page), 'AED 25.50');

    await dialog(page).getByLabel('Amount').fill('5.50');
    await dialog(page).getByRole('button', { name: 'Deduct AED 5.50' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Deducted' }), 'Deducted AED 5.50. Balance now AED 20.00.');
    await expectText(balanceCard(page), 'AED 20.00');
    await expectText(page.locator('.recent .entry-row').first(), /Balance Deducted[\s\S]*−AED 5\.50/);
  });

  it('redeems a gift card typed in any case with dashes, and names each refusal and the throttle', async () => {
    await server.createClient('Layla Redeem');
    const good = await issueGiftCard(server.api, '60.00');
    const expired = await issueGiftCard(server.api, '20.00');
    await server.db.query("update gift_card set expires_at = now() - interval '1 day' where id = $1", [expired.giftCardId]);
    const page = await pageAs(server.frontDesk);
    await openClient(page, 'Layla Redeem');

    const redeem = async (code: string) => {
      await page.getByRole('button', { name: 'Redeem Gift Card' }).click();
      await dialog(page).getByLabel('Gift card code').fill(code);
      await dialog(page).getByRole('button', { name: 'Redeem' }).click();
    };
    const dashed = good.code.toLowerCase().replace(/[\s-]/g, '').replace(/(.{4})(?=.)/g, '$1-');
    await redeem(dashed);
    await expectText(dialog(page), 'AED 60.00 added to the balance. Balance now AED 60.00.');
    await dialog(page).getByRole('button', { name: 'Done' }).click();
    await expectText(balanceCard(page), 'AED 60.00');

    const refusals: [string, string][] = [
      [good.code, 'Gift card already redeemed'],
      ['ABCD-EFGH-JKMN-PQRS', 'Gift card not found'],
      [expired.code, 'Gift card expired'],
    ];
    for (const [code, message] of refusals) {
      await redeem(code);
      await expectText(dialog(page).getByRole('alert'), message);
      await page.keyboard.press('Escape');
      await expectCount(dialog(page), 0);
    }
    await expectText(balanceCard(page), 'AED 60.00');

    // A staff member who has guessed wrong too often is told so, with when to try again.
    const guesser = await server.createStaff('front_desk', 'Guessing Gus');
    const guesserApi = await server.apiAs(guesser);
    const clientId = new URL(page.url()).pathname.split('/').pop() ?? '';
    for (let i = 0; i < 5; i++) await guesserApi.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' });
    const throttled = await pageAs(guesser, `/clients/${clientId}`);
    await throttled.getByRole('button', { name: 'Redeem Gift Card' }).click();
    await dialog(throttled).getByLabel('Gift card code').fill(good.code);
    await dialog(throttled).getByRole('button', { name: 'Redeem' }).click();
    await expectText(dialog(throttled).getByRole('alert'), /Too many failed gift card attempts.*Try again in \d+ minutes\./);
  });

  it('pages through a history longer than a page as it scrolls, filters it by type and date, and refreshes', async () => {
    const clientId = await server.createClient('Hana History');
    for (let i = 0; i < 45; i++) await addBalance(server.api, clientId, '1.00', 'AED', `top-up ${i + 1}`);
    for (let i = 0; i < 10; i++) await deductBalance(server.api, clientId, '0.50');
    const page = await pageAs(server.owner, `/clients/${clientId}/history`);
    const rows = page.locator('.history-table tbody tr');
    await expectCount(rows, 25);
    const first = rows.first();
    await expectText(first, /Balance Deducted[\s\S]*−AED 0\.50[\s\S]*AED 40\.00[\s\S]*Manual[\s\S]*Owner \(you\)/);
    // The owner may reverse entries (balance.reverse): the Reverse action has a column of its own.
    expect(await page.locator('th').allInnerTexts()).toEqual(['DATE AND TIME', 'TYPE', 'AMOUNT', 'BALANCE AFTER', 'REFERENCE', 'NOTE', 'BY', 'ACTIONS']);

    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await expectCount(rows, 50);
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await expectCount(rows, 55);
    await expectText(page.locator('main'), 'End of history');
    await expectText(rows.last(), /Balance Added[\s\S]*\+AED 1\.00[\s\S]*AED 1\.00[\s\S]*top-up 1/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshots(page, 'history');

    // The filter's checkbox (each row's Reverse button names its entry type too).
    await page.getByRole('checkbox', { name: 'Balance Deducted' }).check();
    await expectCount(rows, 10);
    // A type's first line (what it drew from follows on the next).
    expect(new Set((await rows.locator('td[data-label="Type"]').allInnerTexts()).map((text) => text.split('\n')[0]))).toEqual(new Set(['Balance Deducted']));
    expect(page.url()).toContain('type=balance_deducted');

    await page.getByLabel('From', { exact: true }).fill(await todayInBrowser(page, 1));
    await expectText(page.locator('main'), 'No transactions match these filters.');
    await page.getByLabel('From', { exact: true }).fill(await todayInBrowser(page));
    await page.getByLabel('To', { exact: true }).fill(await todayInBrowser(page));
    await expectCount(rows, 10);
    await page.getByLabel('To', { exact: true }).fill(await todayInBrowser(page, -1));
    await expectText(page.getByRole('alert'), 'The “From” date is after the “To” date.');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectCount(rows, 25);

    await addBalance(server.api, clientId, '7.00', 'AED', 'arrived after the page loaded');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expectText(rows.first(), /Balance Added[\s\S]*\+AED 7\.00[\s\S]*AED 47\.00[\s\S]*arrived after the page loaded/);

    // On a phone, pulling down from the top of the page refreshes too.
    const touch = await pageAs(server.owner, `/clients/${clientId}/history`, phone, true);
    const touchRows = touch.locator('.history-table tbody tr');
    await expectText(touchRows.first(), 'arrived after the page loaded');
    await addBalance(server.api, clientId, '3.00', 'AED', 'pulled in by a finger');
    const cdp = await touch.context().newCDPSession(touch);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 195, y: 200 }] });
    for (const y of [240, 280, 320]) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 195, y }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expectText(touchRows.first(), /\+AED 3\.00[\s\S]*AED 50\.00[\s\S]*pulled in by a finger/);
  });

  it('pays at checkout from the balance tile, capped by the balance and by the amount owed, as a hold the sale completes', async () => {
    const smallBalance = await server.createClient('Cara Small-Balance');
    await addBalance(server.api, smallBalance, '40.00');
    const bigBalance = await server.createClient('Bilal Big-Balance');
    await addBalance(server.api, bigBalance, '150.00');
    await server.createClient('Nour No-Balance');
    const page = await pageAs(server.frontDesk);
    await page.getByRole('link', { name: 'Checkout' }).click();
    const tile = page.locator('.balance-tile');
    const applied = page.getByLabel('Amount to apply (AED)');

    const startSale = async (name: string, total: string) => {
      await page.getByLabel('Client', { exact: true }).fill(name);
      await page.getByRole('button', { name: new RegExp(name) }).click();
      await page.getByLabel('Sale total').fill(total);
    };

    // The balance is smaller than the sale: the tile offers all of it and no more.
    await startSale('Cara Small-Balance', '100');
    await expectText(tile, 'Available balance\nAED 40.00');
    await expectValue(applied, '40.00');
    await applied.fill('60');
    await expectValue(applied, '40.00');
    await expectText(tile, 'Capped at the available balance');
    await expectText(tile, 'Available afterwards\nAED 0.00');
    await expectText(tile, 'Still to pay\nAED 60.00');
    await screenshots(page, 'checkout-tile');
    await page.getByRole('button', { name: 'Apply AED 40.00 from balance' }).click();
    await page.getByRole('button', { name: 'Complete sale' }).click();
    await expectText(page.locator('.receipt'), /Paid AED 40\.00 from the balance[\s\S]*Remaining due\nAED 60\.00[\s\S]*Balance now\nAED 0\.00/);

    // The sale is smaller than the balance: the tile offers the amount owed and no more.
    await page.getByRole('button', { name: 'New sale' }).click();
    await startSale('Bilal Big-Balance', '30');
    await expectValue(applied, '30.00');
    await applied.fill('50');
    await expectValue(applied, '30.00');
    await expectText(tile, 'Capped at the amount owed');
    await applied.fill('12.5');
    await expectText(tile, 'Still to pay\nAED 17.50');
    await expectText(tile, 'Available afterwards\nAED 137.50');
    await applied.fill('30');
    await page.getByRole('button', { name: 'Apply AED 30.00 from balance' }).click();
    await page.getByRole('button', { name: 'Complete sale' }).click();
    await expectText(page.locator('.receipt'), /Remaining due\nAED 0\.00[\s\S]*Balance now\nAED 120\.00/);

    await page.getByRole('button', { name: 'New sale' }).click();
    await startSale('Nour No-Balance', '25');
    await expectText(page.locator('main'), 'Nour No-Balance has no AED store credit. Amount due: AED 25.00.');
    expect(await tile.count()).toBe(0);

    const balances = await server.api.get<{ items: { balance: string }[] }>(`/api/clients/${bigBalance}/balances`);
    expect(balances.body.items[0].balance).toBe('120.00');
  });

  it('holds the balance applied at checkout: on hold on the card, all of it back when the sale is cancelled, one Used for Payment entry when it completes', async () => {
    const clientId = await server.createClient('Hind Hold-Checkout');
    await addBalance(server.api, clientId, '100.00');
    const page = await pageAs(server.frontDesk, '/checkout');
    const profile = await pageAs(server.frontDesk, `/clients/${clientId}`);
    const tile = page.locator('.balance-tile');
    const writes: { path: string; key: string }[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === 'POST' && path.startsWith('/api/checkout/')) writes.push({ path, key: request.headers()['idempotency-key'] ?? '' });
    });
    const startSale = async (total: string) => {
      await page.getByLabel('Client', { exact: true }).fill('Hind Hold-Checkout');
      await page.getByRole('button', { name: /Hind Hold-Checkout/ }).click();
      await page.getByLabel('Sale total').fill(total);
    };
    const applyTwenty = async () => {
      await page.getByLabel('Amount to apply (AED)').fill('20');
      await page.getByRole('button', { name: 'Apply AED 20.00 from balance' }).click();
      await expectText(tile, 'AED 20.00 of the balance is on hold');
    };
    // The profile is another tab: coming back to it fetches the balances again.
    const backToProfile = () => profile.evaluate(() => window.dispatchEvent(new Event('focus')));

    // Applying places a hold: nothing is paid yet, the time left counts down, and the card shows available and on hold.
    await startSale('50');
    await applyTwenty();
    await expectText(tile, /Hold expires in\n1[45]:\d\d[\s\S]*Still to pay\nAED 30\.00[\s\S]*Available now\nAED 80\.00/);
    expect(await tile.getByRole('heading', { name: 'On hold for this sale' }).evaluate((el) => el === document.activeElement)).toBe(true);
    const shown = await page.getByRole('timer', { name: 'Hold expires in' }).innerText();
    await until('the countdown ticks', async () => (await page.getByRole('timer', { name: 'Hold expires in' }).innerText()) !== shown, 3_000);
    expect(await page.getByLabel('Sale total').isDisabled()).toBe(true);
    await screenshots(page, 'checkout-hold');
    await backToProfile();
    await expectText(balanceCard(profile), 'Available AED 80.00 · On hold AED 20.00');
    await expectText(balanceCard(profile), 'AED 100.00');
    await expectText(profile.getByRole('region', { name: 'On hold' }), /Sale demo-sale-\S+[\s\S]*AED 20\.00/);
    await screenshots(profile, 'balance-on-hold');

    // Cancelling the sale releases the hold: all of it is available again, and the history has no entry for it.
    await page.getByRole('button', { name: 'Cancel sale' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'cancelled' }), 'Sale cancelled. AED 20.00 is available again.');
    await expectCount(tile, 0);
    expect(await page.getByLabel('Client', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await backToProfile();
    await until('the card no longer shows a hold', async () => !(await balanceCard(profile).innerText()).includes('On hold'));
    await expectText(balanceCard(profile), 'AED 100.00');
    await expectCount(profile.getByRole('region', { name: 'On hold' }), 0);
    await expectCount(profile.locator('.recent .entry-row'), 1);
    await expectText(profile.locator('.recent .entry-row'), 'Balance Added');

    // Applying again and completing the sale captures the hold: exactly one Used for Payment entry.
    await startSale('50');
    await applyTwenty();
    await page.getByRole('button', { name: 'Complete sale' }).click();
    await expectText(page.locator('.receipt'), /Paid AED 20\.00 from the balance[\s\S]*Remaining due\nAED 30\.00[\s\S]*Balance now\nAED 80\.00/);
    await screenshots(page, 'checkout-hold-completed');
    const history = await pageAs(server.frontDesk, `/clients/${clientId}/history`);
    const rows = history.locator('.history-table tbody tr');
    await expectCount(rows, 2);
    // Under each type, the lot a credit made and what a debit drew from it.
    expect(await rows.locator('td[data-label="Type"]').allInnerTexts()).toEqual(['Used for Payment\nfrom Adjustment AED 20.00', 'Balance Added\nAdjustment credit · AED 80.00 left']);
    await expectText(rows.first(), /−AED 20\.00[\s\S]*AED 80\.00/);
    await backToProfile();
    await expectText(balanceCard(profile), 'AED 80.00');
    expect(await balanceCard(profile).innerText()).not.toContain('On hold');
    const entries = await server.api.get<{ items: { type: string }[] }>(`/api/clients/${clientId}/transactions`);
    expect(entries.body.items.map((entry) => entry.type)).toEqual(['used_for_payment', 'balance_added']);

    // Every write went with an Idempotency-Key of its own: hold, release, hold, capture.
    expect(writes.map((write) => write.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':holdId'))).toEqual([
      '/api/checkout/holds',
      '/api/checkout/holds/:holdId/release',
      '/api/checkout/holds',
      '/api/checkout/holds/:holdId/capture',
    ]);
    expect(new Set(writes.map((write) => write.key)).size).toBe(4);
  });

  it('gives the balance back when it is removed from the sale, and when the hold runs out on the countdown', async () => {
    const clientId = await server.createClient('Ezra Expiring-Hold');
    await addBalance(server.api, clientId, '60.00');
    const page = await pageAs(server.owner, '/checkout');
    const tile = page.locator('.balance-tile');
    await page.getByLabel('Client', { exact: true }).fill('Ezra Expiring-Hold');
    await page.getByRole('button', { name: /Ezra Expiring-Hold/ }).click();
    await page.getByLabel('Sale total').fill('40');
    await page.getByRole('button', { name: 'Apply AED 40.00 from balance' }).click();
    await expectText(tile, 'AED 40.00 of the balance is on hold');

    await page.getByRole('button', { name: 'Remove balance' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'removed' }), 'Balance removed from the sale: AED 40.00 is available again.');
    await expectText(tile, 'Available balance\nAED 60.00');
    expect(await tile.getByRole('heading', { name: 'Customer Balance' }).evaluate((el) => el === document.activeElement)).toBe(true);

    // The till asks for the ledger's default of 15 minutes; this hold is given 3 seconds on its way to the gateway.
    await page.route(
      (url) => url.pathname === '/api/checkout/holds',
      (route) => route.continue({ postData: JSON.stringify({ ...(route.request().postDataJSON() as object), expiresInSeconds: 3 }) }),
    );
    await page.getByRole('button', { name: 'Apply AED 40.00 from balance' }).click();
    await expectText(page.getByRole('timer', { name: 'Hold expires in' }), /^0:0[0-3]$/);
    await expectText(page.getByRole('status').filter({ hasText: 'expired' }), 'The hold on AED 40.00 expired: the balance is available again.');
    // The ledger's sweep ends it within seconds; the tile asks until it has.
    await expectText(tile, 'Available balance\nAED 60.00');
    await expectText(tile, 'Apply AED 40.00 from balance');
    await screenshots(page, 'checkout-hold-expired');
    const expired = await server.api.get<{ items: { amount: string; status: string }[] }>(`/api/clients/${clientId}/holds?status=expired`);
    expect(expired.body.items).toEqual([expect.objectContaining({ amount: '40.00', status: 'expired' })]);
    const entries = await server.api.get<{ items: unknown[] }>(`/api/clients/${clientId}/transactions`);
    expect(entries.body.items).toHaveLength(1);
  });

  it('lists a client’s active holds with Release for staff who take payments, and for no one else', async () => {
    const clientId = await server.createClient('Rita Release-Hold');
    await addBalance(server.api, clientId, '50.00');
    await placeHold(server.api, clientId, 'sale-rita-1', '30.00');
    const viewer = await server.createStaff('front_desk', 'Vera Viewer', ['balance.view']);
    const viewerPage = await pageAs(viewer, `/clients/${clientId}`);
    await expectText(balanceCard(viewerPage), 'Available AED 20.00 · On hold AED 30.00');
    expect(await viewerPage.getByRole('region', { name: 'On hold' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: /Release/ }).count()).toBe(0);

    const page = await pageAs(server.frontDesk, `/clients/${clientId}`);
    const stale = await pageAs(server.owner, `/clients/${clientId}`);
    // What a hold reserves cannot be deducted either.
    await stale.getByRole('button', { name: 'Deduct Balance' }).click();
    await expectText(dialog(stale), 'Available: AED 20.00');
    await dialog(stale).getByLabel('Amount').fill('25');
    await expectText(dialog(stale).locator('.field-error'), 'More than the available AED 20.00');
    await stale.keyboard.press('Escape');
    await expectCount(dialog(stale), 0);
    const holds = page.getByRole('region', { name: 'On hold' });
    await expectText(holds, /Sale sale-rita-1[\s\S]*Expires[\s\S]*left[\s\S]*AED 30\.00/);
    await screenshots(page, 'client-holds');
    await holds.getByRole('button', { name: 'Release AED 30.00 held for sale sale-rita-1' }).click();
    await expectText(dialog(page), 'will be available again');
    expect(await dialog(page).getByRole('button', { name: 'Keep hold' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog(page).getByRole('button', { name: 'Release hold' }).click();
    await expectCount(dialog(page), 0);
    await expectText(holds.getByRole('status'), 'Released AED 30.00: it is available again.');
    await expectText(balanceCard(page), 'AED 50.00');
    expect(await balanceCard(page).innerText()).not.toContain('On hold');

    // A page that still lists it hears, in the app's words, that it was released already, and lists it no more.
    const staleHolds = stale.getByRole('region', { name: 'On hold' });
    await staleHolds.getByRole('button', { name: /^Release AED 30\.00/ }).click();
    await dialog(stale).getByRole('button', { name: 'Release hold' }).click();
    await expectText(dialog(stale).getByRole('alert'), 'This hold was already released: its balance is available again.');
    await dialog(stale).getByRole('button', { name: 'Close' }).first().click();
    await expectCount(staleHolds.locator('.hold-row'), 0);
    await expectText(balanceCard(stale), 'AED 50.00');
  });

  it('issues gift cards, shows each code once, finds one by its last four characters and voids it', async () => {
    const page = await pageAs(server.owner, '/gift-cards');
    await page.getByLabel('Amount').fill('75');
    await page.getByLabel('How many').fill('2');
    await page.getByRole('button', { name: 'Issue 2 cards' }).click();
    const codes = page.locator('.code-list .gift-code');
    await expectCount(codes, 2);
    await expectText(page.locator('.new-codes'), 'shown only once');
    await screenshots(page, 'gift-cards');
    const [code] = await codes.allInnerTexts();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3,7}$/);
    await page.getByRole('button', { name: 'Done, hide codes' }).click();
    await expectCount(codes, 0);
    expect(await page.locator('main').innerText()).not.toContain(code);

    const last4 = code.replace(/-/g, '').slice(-4);
    await page.getByLabel('Last four characters').fill(last4.toLowerCase());
    const rows = page.locator('.cards-table tbody tr');
    await expectCount(rows, 1);
    const status = rows.first().locator('td[data-label="Status"]');
    await expectText(rows.first(), /AED 75\.00/);
    await expectText(status, 'Active');
    await rows.first().getByRole('button', { name: `Void card ending ${last4}` }).click();
    await dialog(page).getByRole('button', { name: 'Void card' }).click();
    await expectCount(dialog(page), 0);
    await expectText(status, 'Void');
    expect(await rows.first().getByRole('button', { name: /Void card/ }).count()).toBe(0);
    await page.getByLabel('Status').selectOption('active');
    await expectCount(rows, 0);

    const redeemVoided = await server.api.post(`/api/clients/${server.biz.clientId}/gift-card-redemptions`, { code });
    expect(redeemVoided.body).toMatchObject({ error: { code: 'gift_card_voided' } });
  });

  it('shows each card with the status the server gives and offers Void only where the server says it can be voided', async () => {
    const expired = await issueGiftCard(server.api, '15.00');
    await server.db.query("update gift_card set expires_at = now() - interval '1 day' where id = $1", [expired.giftCardId]);
    const redeemed = await issueGiftCard(server.api, '16.00');
    expect((await server.api.post(`/api/clients/${server.biz.clientId}/gift-card-redemptions`, { code: redeemed.code })).status).toBe(200);
    const page = await pageAs(server.owner, '/gift-cards');
    const rows = page.locator('.cards-table tbody tr');
    const cards: [string, string, number][] = [
      [expired.code, 'Expired', 1],
      [redeemed.code, 'Redeemed', 0],
    ];
    for (const [code, shown, voidButtons] of cards) {
      const last4 = code.replace(/-/g, '').slice(-4);
      await page.getByLabel('Last four characters').fill(last4);
      await expectCount(rows, 1);
      await expectText(rows.first().locator('td[data-label="Status"]'), shown);
      expect(await rows.first().getByRole('button', { name: `Void card ending ${last4}` }).count()).toBe(voidButtons);
    }
  });

  it('says when the connection is lost and retries, and shows a late write as pending until it is applied', async () => {
    await server.createClient('Pia Pending');
    const page = await pageAs(server.owner, '/clients');
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    const clientSearch = (url: URL) => url.pathname === '/api/clients';
    await page.route(clientSearch, (route) => route.abort('internetdisconnected'));
    await page.getByLabel('Search clients').fill('Pia');
    await expectText(page.getByRole('alert'), 'Connection lost. Cannot reach the server.');
    await page.unroute(clientSearch);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('link', { name: /Pia Pending/ }).click();
    await page.locator('.balance-card').waitFor();

    // The gateway really applies the write; the browser is told 202 and must follow the status URL.
    const idempotencyKeys: string[] = [];
    await page.route((url) => url.pathname.endsWith('/balance/add'), async (route) => {
      idempotencyKeys.push(route.request().headers()['idempotency-key'] ?? '');
      const response = await route.fetch();
      const { commandId } = (await response.json()) as { commandId: string };
      await route.fulfill({ status: 202, json: { commandId, status: 'pending', statusUrl: `/api/commands/${commandId}` } });
    });
    await page.getByRole('button', { name: 'Add Balance' }).click();
    await dialog(page).getByLabel('Amount').fill('5');
    await dialog(page).getByRole('button', { name: 'Add AED 5.00' }).click();
    await expectText(dialog(page).getByRole('status'), 'Pending');
    await expectText(page.getByRole('status').filter({ hasText: 'Added' }), 'Added AED 5.00. Balance now AED 5.00.');
    await expectText(balanceCard(page), 'AED 5.00');
    expect(idempotencyKeys).toEqual([expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)]);
  });

  it('refuses a deduction above the available balance in the dialog, sending nothing', async () => {
    const clientId = await server.createClient('Rami Over-Available');
    await addBalance(server.api, clientId, '175.00');
    const page = await pageAs(server.owner, `/clients/${clientId}`);
    const sent: string[] = [];
    page.on('request', (request) => request.url().endsWith('/balance/deduct') && sent.push(request.url()));
    await expectText(balanceCard(page), 'AED 175.00');
    await page.getByRole('button', { name: 'Deduct Balance' }).click();
    const amount = dialog(page).getByLabel('Amount');
    await amount.fill('100000');
    await expectText(dialog(page).locator('.field-error'), 'More than the available AED 175.00');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog(page).locator('button[type="submit"]').isDisabled()).toBe(true);
    await amount.press('Enter');
    await screenshots(page, 'deduct-over-available');
    expect(sent).toEqual([]);
    await amount.fill('175');
    await dialog(page).getByRole('button', { name: 'Deduct AED 175.00' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Deducted' }), 'Deducted AED 175.00. Balance now AED 0.00.');
    expect(sent).toHaveLength(1);
  });

  it('drops a success notice once the balance it names is no longer the balance shown', async () => {
    const clientId = await server.createClient('Sami Stale-Notice');
    await addBalance(server.api, clientId, '175.00');
    const page = await pageAs(server.owner, `/clients/${clientId}`);
    const notice = page.locator('.notice-success');
    const deduct = async (amount: string) => {
      await page.getByRole('button', { name: 'Deduct Balance' }).click();
      await dialog(page).getByLabel('Amount').fill(amount);
      await dialog(page).getByRole('button', { name: /^Deduct AED/ }).click();
    };
    await deduct('5');
    await expectText(notice, 'Deducted AED 5.00. Balance now AED 170.00.');

    // Another tab adds credit; coming back to this one shows the new balance and no stale "Balance now".
    await addBalance(server.api, clientId, '10.00', 'AED', 'from another tab');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expectText(balanceCard(page), 'AED 180.00');
    await expectCount(notice, 0);
    await screenshots(page, 'notice-after-other-tab');

    // The next change replaces it; the next action clears it.
    await deduct('5');
    await expectText(notice, 'Deducted AED 5.00. Balance now AED 175.00.');
    await deduct('5');
    await expectText(notice, 'Deducted AED 5.00. Balance now AED 170.00.');
    await page.getByRole('button', { name: 'Add Balance' }).click();
    await expectCount(notice, 0);
    await page.keyboard.press('Escape');
    await expectCount(notice, 0);
  });

  it('names a redeemed gift card by its last four and each entry’s actor by name in the history', async () => {
    const clientId = await server.createClient('Gia Gift-History');
    const card = await issueGiftCard(server.api, '25.00');
    expect((await server.api.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code })).status).toBe(200);
    // As the embedded start's demo seed writes (apps/gateway/src/embedded/demo-seed.ts).
    const seeded = buildCommand({
      type: 'balance.add',
      commandId: uuidv7(),
      businessId: server.biz.businessId,
      clientId,
      currency: 'AED',
      actor: { kind: 'staff', id: 'demo-seed' },
      amount: '5.00',
      note: 'Opening balance',
      reference: { type: 'manual' },
    });
    expect((await server.app.get(CommandTransport).send(seeded, waitMs))?.status).toBe('applied');
    const page = await pageAs(server.frontDesk, `/clients/${clientId}/history`);
    const rows = page.locator('.history-table tbody tr');
    await expectCount(rows, 2);
    const last4 = card.code.replace(/-/g, '').slice(-4);
    expect(await rows.nth(0).locator('td[data-label="By"]').innerText()).toBe('Demo data');
    expect(await rows.nth(1).locator('td[data-label="Reference"]').innerText()).toBe(`Gift card ····${last4}`);
    expect(await rows.nth(1).locator('td[data-label="By"]').innerText()).toBe('Owner');
    expect(await page.locator('main').innerText()).not.toContain(card.giftCardId.slice(0, 8));
    await screenshots(page, 'history-names');
  });

  it('adds a client and edits it, refusing a missing name and an external id already taken', async () => {
    const taken = `ext-${Math.random().toString(36).slice(2, 8)}`;
    expect((await server.api.post('/api/clients', { name: 'Holds An External Id', externalId: taken })).status).toBe(201);
    const page = await pageAs(server.frontDesk, '/clients');
    await page.getByRole('link', { name: 'Add client' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add client' }).waitFor();
    await page.getByRole('button', { name: 'Add client' }).click();
    await expectText(page.locator('.field-error'), 'Enter the client’s name');
    await page.getByLabel('Name').fill('Cleo Created');
    await page.getByLabel('Phone').fill('+971 50 765 4321');
    await page.getByLabel('Email').fill('cleo@example.com');
    await screenshots(page, 'client-add');
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cleo Created' }).waitFor();
    await expectText(page.locator('.contact'), '+971 50 765 4321 · cleo@example.com');

    await page.getByRole('link', { name: 'Edit client' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit client' }).waitFor();
    await expectValue(page.getByLabel('Name'), 'Cleo Created');
    await page.getByLabel('Name').fill('Cleo Edited');
    await page.getByLabel('Phone').fill('');
    await page.getByLabel('External id').fill(taken);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expectText(page.getByRole('alert'), 'A client with this external id already exists');
    await screenshots(page, 'client-edit');
    await page.getByLabel('External id').fill(`${taken}-2`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cleo Edited' }).waitFor();
    await expectText(page.locator('.contact'), 'cleo@example.com');
    expect(await page.locator('.contact').innerText()).not.toContain('+971');
  });

  it('meets 3:1 non-text contrast, says why Deduct Balance is off in visible text, and fits a dialog at 200% zoom', async () => {
    const clientId = await server.createClient('Zara Zoom');
    const page = await pageAs(server.owner, `/clients/${clientId}`);
    await expectText(balanceCard(page), 'No Balance');
    const deduct = page.getByRole('button', { name: 'Deduct Balance' });
    expect(await deduct.isDisabled()).toBe(true);
    const reasonId = (await deduct.getAttribute('aria-describedby')) ?? '';
    expect(reasonId).not.toBe('');
    const reason = page.locator(`[id="${reasonId}"]`);
    expect(await reason.isVisible()).toBe(true);
    await expectText(reason, 'there is no balance to deduct');

    await page.getByRole('button', { name: 'Add Balance' }).click();
    const amount = dialog(page).getByLabel('Amount');
    await amount.press('Shift+Tab');
    await amount.press('Tab');
    const colours = await amount.evaluate((el) => {
      const style = getComputedStyle(el);
      return { outline: style.outlineColor, border: style.borderTopColor, background: style.backgroundColor };
    });
    expect(colours.background).toBe('rgb(255, 255, 255)');
    expect(contrastRatio(colours.outline, colours.background)).toBeGreaterThanOrEqual(3);
    expect(contrastRatio(colours.border, colours.background)).toBeGreaterThanOrEqual(3);
    // The ring also sits on the page's grey canvas, outside cards.
    expect(contrastRatio(colours.outline, 'rgb(244, 246, 248)')).toBeGreaterThanOrEqual(3);
    await page.keyboard.press('Escape');

    // 1280x800 at 200% zoom is a 640x400 CSS viewport: the confirm button is on screen as the dialog opens.
    await page.setViewportSize({ width: 640, height: 400 });
    for (const action of ['Add Balance', 'Redeem Gift Card']) {
      await page.getByRole('button', { name: action }).click();
      const confirm = dialog(page).locator('button[type="submit"]');
      await confirm.waitFor();
      const box = await confirm.boundingBox();
      expect({ action, box }).toEqual({ action, box: expect.objectContaining({ x: expect.any(Number) }) });
      if (!box) continue;
      expect({ action, top: box.y >= 0, bottom: box.y + box.height <= 400, right: box.x + box.width <= 640 }).toEqual({
        action,
        top: true,
        bottom: true,
        right: true,
      });
      if (action === 'Add Balance') await page.screenshot({ path: join(screenshotDir, 'dialog-zoom-200-640.png') });
      await page.keyboard.press('Escape');
      await expectCount(dialog(page), 0);
    }
  });
});
