import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { BrowserSessions, launchChromium, screenshotDir } from './browser-support';
import { startWebServer, type WebServer } from './web-server';

export interface WebSuite {
  server: WebServer;
  browser: Browser;
  sessions: BrowserSessions;
}

/**
 * The life of a browser suite, called inside its `describe`: a web server of its own (gateway, worker, PostgreSQL,
 * Kafka) and Chromium, started together before the suite and closed after it; each test's pages closed after it,
 * and a test fails if a page threw. `started` hands the suite what was started, once it is.
 */
export function webSuite(started: (suite: WebSuite) => void): void {
  let suite: WebSuite | undefined;

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
    suite = { server, browser, sessions: new BrowserSessions(browser, server) };
    started(suite);
  });

  afterAll(async () => {
    await suite?.browser.close();
    await suite?.server.close();
  });

  afterEach(async () => {
    if (!suite) return;
    await suite.sessions.closePages();
    expect(suite.sessions.pageErrors.splice(0)).toEqual([]);
  });
}
