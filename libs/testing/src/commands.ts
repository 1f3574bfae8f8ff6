import { buildCommand, ledgerCommandIdPrefix, ledgerCommandTypes, type Command, type CommandInput } from '@storecredit/contracts';
import { randomBytes } from 'node:crypto';

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A valid command with a fresh command id; the overrides name what the test is about. */
export function command<T extends CommandInput['type']>(
  type: T,
  fields: Omit<Extract<CommandInput, { type: T }>, 'type' | 'commandId' | 'actor'> & { commandId?: string; actor?: Command['actor'] },
): Extract<Command, { type: T }> {
  return buildCommand({
    // The ledger's own commands (the expiry sweep's) have ids of their own kind; any other command never does.
    commandId: ledgerCommandTypes.includes(type) ? `${ledgerCommandIdPrefix}${uniqueId('cmd')}` : uniqueId('cmd'),
    actor: { kind: 'staff', id: 'staff-1' },
    ...fields,
    type,
  } as unknown as CommandInput) as Extract<Command, { type: T }>;
}

/** A gift card code of 80 bits in the readable alphabet, grouped as staff would see it. */
export function giftCardCode(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}
