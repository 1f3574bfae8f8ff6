import type { Command, Reply, StoredReply } from '@storecredit/contracts';
import type { Principal } from '../auth/principal';
import type { GatewayConfig } from '../gateway.config';
import { CommandSubmitter } from './command-submitter';
import { CommandTransport } from './command-transport';
import type { CommandsRepository } from './commands.repository';

/** Stand-ins for unit specs (never built into the app): the ledger behind the transport, and the gateway's records. */

export const staffPrincipal: Principal = {
  kind: 'staff',
  id: '0190a1b2-0000-7000-8000-000000000001',
  name: 'Dana Front-Desk',
  businessId: 'salon-1',
  permissions: ['balance.view', 'balance.add', 'giftcard.redeem', 'checkout.pay'],
};

export function appliedReply(command: Command, result?: Reply['result']): Reply {
  return {
    schemaVersion: 1,
    commandId: command.commandId,
    commandType: command.type,
    businessId: command.businessId,
    correlationId: command.commandId,
    status: 'applied',
    ...(result === undefined ? {} : { result }),
    replayed: false,
    processedAt: '2026-12-02T00:00:00.000Z',
  };
}

export function rejectedReply(command: Command, code: string, details?: Record<string, unknown>): Reply {
  return { ...appliedReply(command), status: 'rejected', error: { code, message: `rejected: ${code}`, ...(details === undefined ? {} : { details }) } };
}

/** A ledger that answers every command as `answer` says (applied, by default) and keeps what it was sent. */
export class FakeTransport extends CommandTransport {
  readonly sent: Command[] = [];
  answer: (command: Command) => Reply | null = (command) => appliedReply(command);

  async send(command: Command): Promise<Reply | null> {
    this.sent.push(command);
    return this.answer(command);
  }
}

/** The gateway's submission records and the ledger's stored replies, in memory, keyed as the tables are. */
export class FakeCommandsRepository implements Pick<CommandsRepository, keyof CommandsRepository> {
  readonly submissions = new Map<string, { type: string; principal: string }>();
  readonly replies = new Map<string, StoredReply>();

  async recordSubmission(command: Pick<Command, 'businessId' | 'commandId' | 'type'>, principal: string): Promise<void> {
    const key = `${command.businessId}/${command.commandId}`;
    if (!this.submissions.has(key)) this.submissions.set(key, { type: command.type, principal });
  }

  async storedReply(businessId: string, commandId: string): Promise<StoredReply | null> {
    return this.replies.get(`${businessId}/${commandId}`) ?? null;
  }

  async submittedType(businessId: string, commandId: string): Promise<string | null> {
    return this.submissions.get(`${businessId}/${commandId}`)?.type ?? null;
  }
}

/** The real CommandSubmitter over a fake ledger and fake records. */
export function fakeCommandPath(): { submitter: CommandSubmitter; transport: FakeTransport; commands: FakeCommandsRepository } {
  const transport = new FakeTransport();
  const commands = new FakeCommandsRepository();
  const config = { replyTimeoutMs: 1_000 } as GatewayConfig;
  return { submitter: new CommandSubmitter(transport, commands as unknown as CommandsRepository, config), transport, commands };
}

/** What a rejected promise threw, as the API would answer it: its code (and details), or 'not an ApiError'. */
export async function refusalOf(work: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown> } | 'no refusal'> {
  try {
    await work;
    return 'no refusal';
  } catch (error) {
    const { code, details } = error as { code?: string; details?: Record<string, unknown> };
    if (typeof code !== 'string') throw error;
    return details === undefined ? { code } : { code, details };
  }
}
