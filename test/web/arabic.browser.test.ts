import type { Browser, Page } from 'playwright-core';
import { BrowserSessions, desktop, expectCount, expectText, phone, screenshotDir, screenshots, until, waitMs } from './browser-support';
import { addBalance, type Login, type WebServer } from './web-server';
import { webSuite } from './web-suite';

// The browser globals that functions passed to evaluate() use; the project's Node types have no DOM.
declare const document: { documentElement: { dir: string; lang: string; scrollWidth: number } };
declare const window: { innerWidth: number; localStorage: { clear(): void } };

/**
 * The staff web app in Arabic, right to left, in a real headless Chromium against the real gateway, ledger worker,
 * PostgreSQL and Kafka: the language and digits switch, are kept on the server for the staff member, amounts typed
 * in Arabic-Indic digits are accepted, server errors show their Arabic words, and no screen overflows at a phone's
 * width. Screenshots (English and Arabic, 1280 and 390 px) land in test/web/screenshots/.
 */
describe('staff web app in Arabic, right to left, in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let sessions: BrowserSessions;

  webSuite((started) => ({ server, browser, sessions } = started));

  const dialog = (page: Page) => page.getByRole('dialog');
  const balanceCard = (page: Page) => page.locator('.balance-card[data-currency="AED"]');
  /** Bidi marks and isolates are invisible; text checks read past them. */
  const visibleText = async (page: Page, selector: string) => (await page.locator(selector).first().innerText()).replace(/[\u200e\u200f\u061c\u2068\u2069]/g, '').replace(/[\u00a0\u202f]/g, ' ');

  async function direction(page: Page): Promise<{ dir: string; lang: string }> {
    return page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
  }

  /** A fresh device (no localStorage, no cookie) in a browser whose own language is `locale`. */
  async function freshPage(locale: string): Promise<Page> {
    const context = await browser.newContext({ viewport: desktop, locale });
    const page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => sessions.pageErrors.push(error.message));
    await page.goto(server.url);
    return page;
  }

  const english = { email: 'Email', password: 'Password', submit: 'Sign in', signOut: 'Sign out' };
  const arabic = { email: 'البريد الإلكتروني', password: 'كلمة المرور', submit: 'تسجيل الدخول', signOut: 'تسجيل الخروج' };

  async function signIn(page: Page, login: Login, words: { email: string; password: string; submit: string; signOut: string }): Promise<void> {
    await page.getByLabel(words.email).fill(login.email);
    await page.getByLabel(words.password, { exact: true }).fill(login.password);
    await page.getByRole('button', { name: words.submit, exact: true }).click();
    // The staff member's own language applies as soon as they are known, so either word may be the one shown.
    await page.getByRole('button', { name: new RegExp(`^(${words.signOut}|${arabic.signOut})$`) }).waitFor();
  }

  async function choose(page: Page, field: 'language' | 'digits', value: string): Promise<void> {
    const menu = page.locator('.language-menu');
    if (!(await menu.evaluate((element) => (element as unknown as { open: boolean }).open))) await menu.locator('summary').click();
    await menu.locator('select').nth(field === 'language' ? 0 : 1).selectOption(value);
    await menu.locator('summary').click();
  }

  async function openClient(page: Page, search: string, name: string): Promise<void> {
    await page.getByRole('link', { name: search === 'Search clients' ? 'Clients' : 'العملاء', exact: true }).click();
    await page.getByLabel(search).fill(name);
    await page.getByRole('link', { name: new RegExp(name) }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await balanceCard(page).waitFor();
  }

  /** Nothing sticks out sideways at a phone's width, in Arabic most of all (right-to-left overflow hides to the left). */
  async function expectNoOverflowOnPhone(page: Page, screen: string): Promise<void> {
    await page.setViewportSize(phone);
    const fits = async () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    // A chart follows the new width through a ResizeObserver, a frame or two after the page does.
    await until(`${screen} fits`, fits, 5_000).catch(() => undefined);
    expect({ screen, fits: await fits() }).toEqual({ screen, fits: true });
    await page.setViewportSize(desktop);
  }

  it('switches a front desk to Arabic, right to left, with Arabic words, an amount typed in Arabic-Indic digits and an Arabic server error', async () => {
    const desk = await server.createStaff('front_desk', 'Mariam Desk');
    const clientId = await server.createClient('Layla Haddad', { phone: '+971501234567' });
    await addBalance(server.api, clientId, '100');

    const page = await freshPage('en-US');
    expect(await direction(page)).toEqual({ dir: 'ltr', lang: 'en' });
    await screenshots(page, 'i18n-en-sign-in');
    await signIn(page, desk, english);
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    await screenshots(page, 'i18n-en-clients');
    await openClient(page, 'Search clients', 'Layla Haddad');
    await expectText(balanceCard(page), 'AED 100.00');
    await screenshots(page, 'i18n-en-client');
    await page.getByRole('button', { name: 'Add Balance' }).click();
    await dialog(page).waitFor();
    await screenshots(page, 'i18n-en-add-balance');
    await page.keyboard.press('Escape');
    await expectCount(dialog(page), 0);

    await choose(page, 'language', 'ar');
    await until('the page is right to left', async () => (await direction(page)).dir === 'rtl');
    expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar' });
    await until('the choice is saved on the server', async () => {
      const me = await (await server.apiAs(desk)).get<{ preferences: { language: string } }>('/api/auth/me');
      return me.body.preferences.language === 'ar';
    });

    // The client's profile, then the client list, in Arabic.
    await page.getByRole('heading', { level: 1, name: 'Layla Haddad' }).waitFor();
    await page.getByRole('button', { name: 'إضافة رصيد' }).waitFor();
    await expectText(page.getByRole('navigation', { name: 'العميل' }), 'السجل');
    expect(await visibleText(page, '.balance-card[data-currency="AED"]')).toMatch(/100\.00/);
    await expectText(page.locator('.balance-card[data-currency="AED"]'), 'لديه رصيد');
    await screenshots(page, 'i18n-ar-client');
    await expectNoOverflowOnPhone(page, 'client');

    await openClient(page, 'البحث عن العملاء', 'Layla Haddad');
    await page.getByRole('link', { name: 'العملاء', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'العملاء' }).waitFor();
    await expectText(page.getByRole('button', { name: 'إضافة عميل' }).or(page.getByRole('link', { name: 'إضافة عميل' })), 'إضافة عميل');
    await screenshots(page, 'i18n-ar-clients');
    await expectNoOverflowOnPhone(page, 'clients');

    // Add Balance with an amount typed as a person with an Arabic keyboard would: ٢٥٫٥٠.
    await openClient(page, 'البحث عن العملاء', 'Layla Haddad');
    await page.getByRole('button', { name: 'إضافة رصيد' }).click();
    await dialog(page).getByRole('heading', { name: 'إضافة رصيد' }).waitFor();
    const amount = dialog(page).getByLabel('المبلغ');
    await amount.fill('١٠٫٥٥٥');
    await expectText(dialog(page), 'تقبل منزلتين عشريتين على الأكثر');
    await amount.fill('٢٥٫٥٠');
    await dialog(page).getByLabel('ملاحظة').fill('شحن عيد الميلاد');
    await screenshots(page, 'i18n-ar-add-balance');
    await expectNoOverflowOnPhone(page, 'add balance');
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/balance/add')) sent.push(request.postData() ?? '');
    });
    await dialog(page).getByRole('button', { name: /^إضافة/ }).click();
    await until('the addition is confirmed', async () => /أُضيف/.test(await page.getByRole('status').filter({ hasText: 'أُضيف' }).innerText().catch(() => '')));
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0])).toMatchObject({ amount: '25.50', currency: 'AED' });
    await until('the balance shows 125.50', async () => /125\.50/.test(await visibleText(page, '.balance-card[data-currency="AED"]')));
    const stored = await server.api.get<{ items: { currency: string; balance: string }[] }>(`/api/clients/${clientId}/balances`);
    expect(JSON.stringify(stored.body)).toContain('125.50');

    // A refusal from the server shows its Arabic words by code, never the server's English sentence.
    await page.getByRole('button', { name: 'استرداد بطاقة هدية' }).click();
    await dialog(page).getByLabel('رمز بطاقة الهدية').fill('ABCD-EFGH-JKMN-PQRS');
    await dialog(page).getByRole('button', { name: 'استرداد', exact: true }).click();
    await expectText(dialog(page).getByRole('alert'), 'بطاقة الهدية غير موجودة');
    expect(await dialog(page).getByRole('alert').innerText()).not.toMatch(/Gift card not found/);
    await screenshots(page, 'i18n-ar-error');
    await page.keyboard.press('Escape');

    // Arabic-Indic digits by choice: the balance is written in them.
    await choose(page, 'digits', 'arab');
    await until('the balance shows Arabic-Indic digits', async () => /١٢٥٫٥٠/.test(await visibleText(page, '.balance-card[data-currency="AED"]')));
    await page.getByRole('navigation', { name: 'العميل' }).getByRole('link', { name: 'السجل' }).click();
    await expectText(page.locator('main'), 'السجل الكامل');
    await expectText(page.locator('main'), 'شحن عيد الميلاد');
    await screenshots(page, 'i18n-ar-history');
    await expectNoOverflowOnPhone(page, 'history');

    // Signing out and in again on another device (no localStorage) brings the choice back from the server.
    await page.getByRole('button', { name: 'تسجيل الخروج' }).click();
    await page.getByRole('button', { name: 'تسجيل الدخول', exact: true }).waitFor();
    expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar' });
    await page.context().close();

    const elsewhere = await freshPage('en-US');
    expect(await direction(elsewhere)).toEqual({ dir: 'ltr', lang: 'en' });
    await signIn(elsewhere, desk, english);
    await until('the staff member’s Arabic is applied', async () => (await direction(elsewhere)).dir === 'rtl');
    await elsewhere.getByRole('heading', { level: 1, name: 'العملاء' }).waitFor();
    await openClient(elsewhere, 'البحث عن العملاء', 'Layla Haddad');
    await until('Arabic-Indic digits again', async () => /١٢٥٫٥٠/.test(await visibleText(elsewhere, '.balance-card[data-currency="AED"]')));
    await elsewhere.context().close();
  });

  it('shows the sign-in screen in the browser’s language, and remembers the last choice on the device', async () => {
    const page = await freshPage('ar-AE');
    await page.getByRole('button', { name: 'تسجيل الدخول', exact: true }).waitFor();
    expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar' });
    await screenshots(page, 'i18n-ar-sign-in');
    await expectNoOverflowOnPhone(page, 'sign-in');

    await choose(page, 'language', 'en');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await direction(page)).toEqual({ dir: 'ltr', lang: 'en' });

    // A staff member still in English signs in: their server-side choice (English) holds.
    await signIn(page, server.frontDesk, english);
    expect(await direction(page)).toEqual({ dir: 'ltr', lang: 'en' });
    await page.evaluate(() => window.localStorage.clear());
    await page.context().close();
  });

  it('lays out the main screens in Arabic at a phone’s width without sideways overflow', async () => {
    const desk = await server.createStaff('owner', 'Noura Owner');
    expect((await (await server.apiAs(desk)).put('/api/auth/me/preferences', { language: 'ar', digits: 'latn' })).status).toBe(200);
    const page = await freshPage('ar-AE');
    await signIn(page, desk, arabic);
    for (const [path, name] of [
      ['/checkout', 'checkout'],
      ['/gift-cards', 'gift-cards'],
      ['/settings', 'settings'],
      ['/reports', 'reports'],
      ['/staff', 'staff'],
    ] as const) {
      await page.goto(server.url + path);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar' });
      await expectNoOverflowOnPhone(page, name);
      await page.setViewportSize(phone);
      await page.screenshot({ path: `${screenshotDir}/i18n-ar-${name}-390.png` });
      await page.setViewportSize(desktop);
    }
    await page.context().close();
  });
});
