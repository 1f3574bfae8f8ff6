import type { INestApplicationContext } from '@nestjs/common';
import { buildCommand, type Command } from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import { AuthRepository } from '../auth/auth.repository';
import { AuthService } from '../auth/auth.service';
import { ClientsRepository } from '../clients/clients.repository';
import { CommandTransport } from '../commands/command-transport';
import { generateGiftCardCode } from '../gift-cards/gift-card-codes';

export const demoBusinessId = 'demo-salon';
export const demoLogins = [
  { role: 'owner', email: 'owner@demo.salon', password: 'velvet-orchid-2026', name: 'Olivia Owner' },
  { role: 'front_desk', email: 'desk@demo.salon', password: 'amber-comb-lantern', name: 'Dana Front-Desk' },
] as const;

const demoClients = [
  { id: 'client-layla', name: 'Layla Haddad', phone: '+971 50 123 4567', email: 'layla@example.com', topUp: '150.00' },
  { id: 'client-omar', name: 'Omar Farouk', phone: '+971 55 222 1100', email: 'omar@example.com', topUp: '40.00' },
  { id: 'client-sara', name: 'Sara Lindqvist', phone: '+971 52 987 6543', email: 'sara@example.com' },
  { id: 'client-kenji', name: 'Kenji Watanabe', phone: '+81 90 1234 5678', email: 'kenji@example.com' },
  { id: 'client-amira', name: 'Amira Nasser', phone: '+965 6000 1234', email: 'amira@example.com' },
];

export interface DemoSeed {
  created: boolean;
  giftCardCodes: string[];
}

/** On the first embedded start: a business, an owner and a front-desk login, clients, balances, gift cards. */
export async function seedDemo(app: INestApplicationContext): Promise<DemoSeed> {
  const authRepository = app.get(AuthRepository);
  if (await authRepository.businessExists(demoBusinessId)) return { created: false, giftCardCodes: [] };
  await authRepository.createBusiness(demoBusinessId, 'Demo Salon');
  const auth = app.get(AuthService);
  for (const login of demoLogins) await auth.createStaff(demoBusinessId, login);
  const clients = app.get(ClientsRepository);
  const transport = app.get(CommandTransport);
  const actor = { kind: 'staff' as const, id: 'demo-seed' };
  const send = async (command: Command) => {
    const reply = await transport.send(command, 10_000);
    if (reply?.status !== 'applied') throw new Error(`demo seed command ${command.type} failed: ${JSON.stringify(reply)}`);
  };
  for (const client of demoClients) {
    await clients.create(demoBusinessId, client);
    if (client.topUp === undefined) continue;
    await send(
      buildCommand({
        type: 'balance.add',
        commandId: uuidv7(),
        businessId: demoBusinessId,
        clientId: client.id,
        currency: 'AED',
        actor,
        amount: client.topUp,
        note: 'Opening balance',
        reference: { type: 'manual' },
      }),
    );
  }
  const giftCardCodes: string[] = [];
  for (const amount of ['50.00', '100.00', '250.00']) {
    const code = generateGiftCardCode();
    await send(buildCommand({ type: 'giftcard.issue', commandId: uuidv7(), businessId: demoBusinessId, actor, code, amount, currency: 'AED' }));
    giftCardCodes.push(code);
  }
  return { created: true, giftCardCodes };
}
