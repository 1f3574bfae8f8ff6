import { v5 as uuidv5 } from 'uuid';
import type { Command } from './commands';

/** A wallet is one business, one client, one currency; its commands and events share this Kafka key. */
export function walletKey(businessId: string, clientId: string, currency: string): string {
  return `${businessId}/${clientId}/${currency}`;
}

/** Gift card issue and void are keyed by business so they stay in order with each other. */
export function giftCardsKey(businessId: string): string {
  return `${businessId}/gift-cards`;
}

/** The Kafka message key a producer must use for a command. */
export function commandKey(command: Command): string {
  if ('clientId' in command) return walletKey(command.businessId, command.clientId, command.currency);
  return giftCardsKey(command.businessId);
}

/** The namespace of hold ids (UUID v5): a hold's id follows from its business and the command that placed it. */
const holdIdNamespace = '5b0d2f1e-8c4a-4e7b-9a61-3f2c7d9e0a14';

/**
 * The id of the hold a `balance.hold` command places, known before its reply: a checkout whose hold reply was lost
 * can still capture or release it. Deterministic, so a redelivered command names the same hold.
 */
export function holdIdOf(businessId: string, holdCommandId: string): string {
  return uuidv5(`${businessId}/${holdCommandId}`, holdIdNamespace);
}
