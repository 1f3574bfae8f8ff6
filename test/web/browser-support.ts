import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Login, WebServer } from './web-server';

/**
 * What a browser suite needs: Debian's Chromium (never a downloaded browser), waiting for text and counts, sign-in by
 * the sign-in screen once per login, and screenshots at a desk's and a phone's width into test/web/screenshots/.
 * (web.browser.test.ts keeps its own copies of these from before this file.)
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const screenshotDir = join(__dirname, 'screenshots');
export const waitMs = 15_000;
export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

// The browser globals that functions passed to evaluate() use; the project's Node types have no DOM.
declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };
declare function requestAnimationFrame(callback: () => void): number;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  const matches = (text: string) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
  try {
    await until(`text ${expected}`, async () => matches((await locator.innerText().catch(() => '')) ?? ''));
  } catch {
    expect(await locator.innerText().catch((error: Error) => `(no element: ${error.message})`)).toMatch(expected);
  }
}

export async function expectCount(locator: Locator, count: number): Promise<void> {
  try {
    await until(`${count} elements`, async () => (await locator.count()) === count);
  } catch {
    expect(await locator.count()).toBe(count);
  }
}

/** The screen at a desk's width and a phone's: nothing may stick out sideways; the top `heightMax` pixels are saved. */
export async function screenshots(page: Page, name: string, heightMax = 2400): Promise<void> {
  for (const viewport of [desktop, phone]) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    const { scrollWidth, scrollHeight } = await page.evaluate(() => {
      const { scrollWidth, scrollHeight } = document.documentElement;
      return { scrollWidth, scrollHeight };
    });
    expect({ screen: name, width: scrollWidth }).toEqual({ screen: name, width: viewport.width });
    await page.screenshot({ path: join(screenshotDir, `${name}-${viewport.width}.png`), fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height: Math.min(heightMax, scrollHeight) } });
  }
  await page.setViewportSize(desktop);
}

/** Pages of one browser against one server, signed in as a login; page errors are collected for the suite to check. */
export class BrowserSessions {
  private readonly tokens = new Map<string, string>();
  private readonly contexts: BrowserContext[] = [];
  readonly pageErrors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly server: WebServer,
  ) {}

  async newPage(viewport = desktop): Promise<Page> {
    const context = await this.browser.newContext({ viewport, locale: 'en-US' });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    return page;
  }

  async pageAs(login: Login, path = '/', viewport = desktop): Promise<Page> {
    const page = await this.newPage(viewport);
    const token = this.tokens.get(login.email);
    if (token) {
      await page.context().addCookies([{ name: 'sc_session', value: token, url: this.server.url }]);
      await page.goto(this.server.url + path);
      return page;
    }
    await page.goto(this.server.url + path);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sc_session');
    if (!cookie) throw new Error('sign-in set no session cookie');
    this.tokens.set(login.email, cookie.value);
    return page;
  }

  async closePages(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((context) => context.close()));
  }
}
