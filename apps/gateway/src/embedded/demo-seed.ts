import type { INestApplicationContext } from '@nestjs/common';
import { buildCommand, type Command } from '@storecredit/contracts';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { AuthRepository } from '../auth/auth.repository';
import { AuthService } from '../auth/auth.service';
import { ClientsRepository } from '../clients/clients.repository';
import { CommandTransport } from '../commands/command-transport';
import { generateGiftCardCode } from '../gift-cards/gift-card-codes';
import { SettingsRepository } from '../settings/settings.repository';

export const demoBusinessId = 'demo-salon';
export const demoStaff = [
  { role: 'owner', email: 'owner@demo.salon', name: 'Olivia Owner' },
  { role: 'front_desk', email: 'desk@demo.salon', name: 'Dana Front-Desk' },
] as const;
export interface DemoLogin {
  role: string;
  email: string;
  password: string;
}
/**
 * The demo logins' passwords are made at random by each install's first start (a password printed in a README is
 * every install's password) and kept beside the data, readable by this user alone, so every start can print them.
 */
export const demoLoginsFile = 'demo-logins.json';
const demoPasswordBytes = 12;

function demoPassword(): string {
  return randomBytes(demoPasswordBytes).toString('base64url');
}

/** The demo logins of an embedded data directory, or none when it was seeded before they were kept there. */
export function readDemoLogins(dataDir: string): DemoLogin[] {
  const file = join(dataDir, demoLoginsFile);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoLogin[]) : [];
}

const demoClients = [
  { id: 'client-layla', name: 'Layla Haddad', phone: '+971 50 123 4567', email: 'layla@example.com', topUp: '150.00', package: '500.00' },
  { id: 'client-omar', name: 'Omar Farouk', phone: '+971 55 222 1100', email: 'omar@example.com', topUp: '40.00' },
  { id: 'client-sara', name: 'Sara Lindqvist', phone: '+971 52 987 6543', email: 'sara@example.com' },
  { id: 'client-kenji', name: 'Kenji Watanabe', phone: '+81 90 1234 5678', email: 'kenji@example.com' },
  { id: 'client-amira', name: 'Amira Nasser', phone: '+965 6000 1234', email: 'amira@example.com' },
];

export interface DemoSeed {
  created: boolean;
  giftCardCodes: string[];
}

/** The demo salon's bonus for prepaid packages, as an owner would set it on the Settings screen. */
const demoBonusTiers = [
  { minAmount: '500.00', percent: '5' },
  { minAmount: '1000.00', percent: '10' },
];
const demoBonusDays = 90;

/**
 * On the first embedded start: a business, an owner and a front-desk login, clients, balances (one a paid package
 * that earned the bonus), bonus tiers, gift cards.
 */
export async function seedDemo(app: INestApplicationContext, dataDir: string): Promise<DemoSeed> {
  const authRepository = app.get(AuthRepository);
  if (await authRepository.businessExists(demoBusinessId)) return { created: false, giftCardCodes: [] };
  await authRepository.createBusiness(demoBusinessId, 'Demo Salon');
  const auth = app.get(AuthService);
  const logins = demoStaff.map((staff) => ({ ...staff, password: demoPassword() }));
  for (const login of logins) await auth.createStaff(demoBusinessId, login);
  writeFileSync(join(dataDir, demoLoginsFile), JSON.stringify(logins.map(({ role, email, password }) => ({ role, email, password }))), { mode: 0o600 });
  await app.get(SettingsRepository).putBonusRule(demoBusinessId, 'AED', { tiers: demoBonusTiers, expiresInDays: demoBonusDays, updatedBy: 'staff:demo-seed' });
  const clients = app.get(ClientsRepository);
  const transport = app.get(CommandTransport);
  const actor = { kind: 'staff' as const, id: 'demo-seed' };
  const send = async (command: Command) => {
    const reply = await transport.send(command, 10_000);
    if (reply?.status !== 'applied') throw new Error(`demo seed command ${command.type} failed: ${JSON.stringify(reply)}`);
  };
  const add = (clientId: string, amount: string, note: string, reference: { type: 'manual' | 'payment'; id?: string }) =>
    send(buildCommand({ type: 'balance.add', commandId: uuidv7(), businessId: demoBusinessId, clientId, currency: 'AED', actor, amount, note, reference }));
  for (const client of demoClients) {
    await clients.create(demoBusinessId, client);
    if (client.topUp !== undefined) await add(client.id, client.topUp, 'Opening balance', { type: 'manual' });
    // A prepaid package paid at the desk: paid credit and the bonus it earns (5% at 500.00).
    if (client.package !== undefined) await add(client.id, client.package, 'Prepaid package', { type: 'payment', id: 'package-1' });
  }
  const giftCardCodes: string[] = [];
  for (const amount of ['50.00', '100.00', '250.00']) {
    const code = generateGiftCardCode();
    await send(buildCommand({ type: 'giftcard.issue', commandId: uuidv7(), businessId: demoBusinessId, actor, code, amount, currency: 'AED' }));
    giftCardCodes.push(code);
  }
  return { created: true, giftCardCodes };
}
