import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, testBrokers, uniqueTopicPrefix, type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, type SeededBusiness } from '../support';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuthService } from '../../apps/gateway/src/auth/auth.service';
import { permissions, type Permission, type StaffRole } from '@storecredit/contracts';
import { ClientsRepository } from '../../apps/gateway/src/clients/clients.repository';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../../apps/gateway/src/gateway.config';
import { startLedgerWorker } from '../../apps/ledger-worker/src/ledger-worker.app';
import { workerConfigFromEnv } from '../../apps/ledger-worker/src/worker.config';

export const repoRoot = resolve(__dirname, '../..');
export const webRoot = join(repoRoot, 'apps/web');
export const webDist = join(webRoot, 'dist');

export interface Login {
  email: string;
  password: string;
  name: string;
}

export interface WebServer {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  biz: SeededBusiness;
  owner: Login;
  frontDesk: Login;
  /** The gateway API as the owner (in-process), for arranging data the browser then sees. */
  api: GatewayClient;
  /** Signs a staff member in and returns a client acting with their session. */
  apiAs(login: Login): Promise<GatewayClient>;
  /** A staff member with their role's permissions, or only those given. */
  createStaff(role: string, name: string, permissions?: readonly Permission[]): Promise<Login>;
  createClient(name: string, extra?: { phone?: string; email?: string }): Promise<string>;
  close(): Promise<void>;
}

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** Builds the web app when its build is missing or older than its sources, as `npm run build:web` does. */
export function ensureWebBuild(): void {
  const index = join(webDist, 'index.html');
  // The app bundles the contract's browser entry, so a change there is a change to the app.
  const sources = Math.max(
    newestChange(join(webRoot, 'src')),
    newestChange(join(webRoot, 'index.html')),
    newestChange(join(webRoot, 'vite.config.ts')),
    newestChange(join(repoRoot, 'libs/contracts/src')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // jest sets NODE_ENV=test, which would make Vite bundle React's development build.
  execFileSync(join(repoRoot, 'node_modules/.bin/vite'), ['build', webRoot, '--logLevel', 'warn'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/**
 * The real gateway on a free port serving the built web app, with the ledger worker in-process, a fresh
 * PostgreSQL database and its own Kafka topics; seeded with an owner and a front-desk staff member.
 */
export async function startWebServer(options: { port?: number; host?: string } = {}): Promise<WebServer> {
  ensureWebBuild();
  const db = await createTestDatabase();
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testBrokers,
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    GATEWAY_REPLY_TIMEOUT_MS: '15000',
    WEB_DIR: webDist,
  };
  let worker: INestMicroservice | undefined;
  let app: NestFastifyApplication | undefined;
  try {
    worker = await startLedgerWorker(workerConfigFromEnv(env), { logger: ['error'] });
    app = await createGatewayApp(gatewayConfigFromEnv(env), { url: db.url });
    await app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await app?.close();
    await worker?.close();
    await db.drop();
    throw error;
  }
  const started = app;
  const biz = await seedBusiness(started, permissions);
  const auth = started.get(AuthService);
  const http = new GatewayClient(started);
  const owner: Login = { email: `owner-${biz.businessId}@example.com`, password: 'correct horse battery', name: 'Owner' };

  const createStaff = async (role: StaffRole, name: string, only?: readonly Permission[]): Promise<Login> => {
    const login = { email: `${role}-${Math.random().toString(36).slice(2, 8)}-${biz.businessId}@example.com`, password: 'amber lantern harbor 2026', name };
    await auth.createStaff(biz.businessId, { ...login, role, ...(only ? { permissions: only } : {}) });
    return login;
  };
  const frontDesk = await createStaff('front_desk', 'Dana Front-Desk');
  const { port } = started.getHttpServer().address() as { port: number };

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    app: started,
    db,
    biz,
    owner,
    frontDesk,
    api: http.as(biz.ownerToken),
    apiAs: async (login) => http.as((await auth.signIn(login.email, login.password)).token),
    createStaff,
    createClient: async (name, extra = {}) => {
      const id = `client-${Math.random().toString(36).slice(2, 10)}`;
      await started.get(ClientsRepository).create(biz.businessId, { id, name, ...extra });
      return id;
    },
    close: async () => {
      await started.close();
      await worker?.close();
      await db.drop();
    },
  };
}

/** Arranges a balance through the API (the same path the web app uses). */
export async function addBalance(api: GatewayClient, clientId: string, amount: string, currency = 'AED', note?: string): Promise<void> {
  const answer = await api.post(`/api/clients/${clientId}/balance/add`, { amount, currency, ...(note ? { note } : {}) });
  if (answer.status !== 200) throw new Error(`add balance answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export async function deductBalance(api: GatewayClient, clientId: string, amount: string, currency = 'AED'): Promise<void> {
  const answer = await api.post(`/api/clients/${clientId}/balance/deduct`, { amount, currency });
  if (answer.status !== 200) throw new Error(`deduct balance answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export async function issueGiftCard(api: GatewayClient, amount: string, currency = 'AED'): Promise<{ code: string; giftCardId: string }> {
  const answer = await api.post<{ items: { code: string; result: { giftCardId: string } }[] }>('/api/gift-cards', { amount, currency });
  if (answer.status !== 201) throw new Error(`issue gift card answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const [card] = answer.body.items;
  return { code: card.code, giftCardId: card.result.giftCardId };
}

export interface PlacedHold {
  holdId: string;
  amount: string;
  expiresAt: string;
}

/** Places a hold through the API, as a till would (POST /api/checkout/holds). */
export async function placeHold(api: GatewayClient, clientId: string, saleId: string, amountOwed: string, currency = 'AED'): Promise<PlacedHold> {
  const answer = await api.post<{ result: { hold?: PlacedHold } }>('/api/checkout/holds', { clientId, currency, saleId, amountOwed });
  if (answer.status !== 200 || !answer.body.result.hold) throw new Error(`place hold answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.result.hold;
}
