import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addBalance, startWebServer, type WebServer } from './web-server';

/**
 * A page on another port of the same host (same site, so the browser sends the staff member's session cookie)
 * tries to spend a client's credit with auto-submitting forms and to frame the app, in a real Chromium.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const waitMs = 15_000;

/** The attacker's pages: the classic form CSRF, the text/plain form that smuggles a JSON body, and a frame. */
function attackerPages(target: string, clientId: string): Record<string, string> {
  const action = `${target}/api/clients/${clientId}/balance/deduct`;
  const autoSubmit = '<script>document.forms[0].submit()</script>';
  return {
    '/form': `<form method="POST" action="${action}"><input name="amount" value="5.00"><input name="currency" value="AED"></form>${autoSubmit}`,
    '/text': `<form method="POST" enctype="text/plain" action="${action}"><input name='{"amount":"5.00","currency":"AED","note":"' value='"}'></form>${autoSubmit}`,
    '/frame': `<iframe src="${target}/" width="800" height="600"></iframe>`,
  };
}

function serveAttacker(pages: Record<string, string>): Promise<Server> {
  const server = createServer((request, response) => {
    const page = pages[request.url ?? ''];
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ? `<!doctype html><html><body>${page}</body></html>` : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('cross-site attacks in Chromium', () => {
  let web: WebServer;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;
  let context: BrowserContext;
  let clientId: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebServer(), chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })]);
    clientId = await web.createClient('Victim Client');
    await addBalance(web.api, clientId, '100.00');
    attacker = await serveAttacker(attackerPages(web.url, clientId));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await newPage();
    // The owner signs in through the app, so the cookie is the one the gateway set (HttpOnly, SameSite=Strict).
    await page.goto(web.url);
    await page.getByLabel('Email').fill(web.owner.email);
    await page.getByLabel('Password').fill(web.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await web?.close();
  });

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  const balance = async () => (await web.api.get<{ items: { balance: string }[] }>(`/api/clients/${clientId}/balances`)).body.items.map((item) => item.balance);

  it('keeps the session cookie and the app working for the signed-in owner, with no CSP violation', async () => {
    expect((await context.cookies(web.url)).some((cookie) => cookie.name === 'sc_session')).toBe(true);
    const page = await newPage();
    await page.goto(web.url);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(cspViolations.splice(0)).toEqual([]);
  });

  it.each(['/form', '/text'])('refuses the auto-submitting form at %s and leaves the balance as it was', async (path) => {
    const before = await balance();
    expect(before).toEqual(['100.00']);
    const page = await newPage();
    const answer = page.waitForResponse((response) => response.url().includes('/balance/deduct'));
    await page.goto(attackerUrl + path);
    const response = await answer;
    expect(response.status()).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect(await balance()).toEqual(before);
  });

  it('refuses to be framed by another site', async () => {
    const page = await newPage();
    await page.goto(`${attackerUrl}/frame`);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    await page.waitForTimeout(500);
    expect(await framed?.locator('#root').count().catch(() => 0)).toBe(0);
    expect(cspViolations.splice(0).some((text) => /frame-ancestors/.test(text))).toBe(true);
  });

  it('renders the API docs (Swagger UI) under their CSP', async () => {
    const page = await newPage();
    await page.goto(`${web.url}/api/docs`);
    await page.locator('.swagger-ui .info .title').getByText('storecredit gateway').waitFor();
    await page.locator('.opblock').first().waitFor();
    expect(cspViolations.splice(0)).toEqual([]);
  });
});
