import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { AuthRepository } from '../../apps/gateway/src/auth/auth.repository';
import { AuthService } from '../../apps/gateway/src/auth/auth.service';
import type { Permission } from '../../apps/gateway/src/auth/permissions';
import { ClientsRepository } from '../../apps/gateway/src/clients/clients.repository';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Drives the gateway in-process through Fastify's injector: real routing, guards, pipes and filters. */
export class GatewayClient {
  constructor(
    readonly app: NestFastifyApplication,
    private readonly token?: string,
  ) {}

  as(token: string | undefined): GatewayClient {
    return new GatewayClient(this.app, token);
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const response = await this.app.inject({
      method,
      url,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = response.body;
    // A download (CSV) is answered as its text; every other answer is JSON.
    const json = !/^text\/csv/.test(String(response.headers['content-type'] ?? ''));
    return { status: response.statusCode, body: (text ? (json ? JSON.parse(text) : text) : null) as T, headers: response.headers };
  }

  get<T = Record<string, unknown>>(url: string) {
    return this.request<T>('GET', url);
  }

  post<T = Record<string, unknown>>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', url, body ?? {}, headers);
  }

  put<T = Record<string, unknown>>(url: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', url, body, headers);
  }
}

export interface SeededBusiness {
  businessId: string;
  ownerToken: string;
  /** An API key per permission, and one with every permission. */
  keyFor(permission: Permission): string;
  allKey: string;
  clientId: string;
}

/** A business with an owner, a client and one API key per permission, for permission and tenant tests. */
export async function seedBusiness(app: NestFastifyApplication, permissionsList: readonly Permission[]): Promise<SeededBusiness> {
  const businessId = `biz-${randomBytes(4).toString('hex')}`;
  const repository = app.get(AuthRepository);
  const auth = app.get(AuthService);
  await repository.createBusiness(businessId, `Business ${businessId}`);
  const email = `owner-${businessId}@example.com`;
  await auth.createStaff(businessId, { email, name: 'Owner', password: 'correct horse battery', role: 'owner' });
  const { token: ownerToken } = await auth.signIn(email, 'correct horse battery');
  const principal = { kind: 'staff' as const, id: 'seed', name: 'seed', businessId, permissions: permissionsList };
  const keys = new Map<Permission, string>();
  for (const permission of permissionsList) keys.set(permission, (await auth.createApiKey(principal, `key-${permission}`, [permission])).key);
  const allKey = (await auth.createApiKey(principal, 'all', permissionsList)).key;
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  await app.get(ClientsRepository).create(businessId, { id: clientId, name: 'Test Client' });
  return {
    businessId,
    ownerToken,
    allKey,
    clientId,
    keyFor: (permission) => {
      const key = keys.get(permission);
      if (!key) throw new Error(`no key for ${permission}`);
      return key;
    },
  };
}
