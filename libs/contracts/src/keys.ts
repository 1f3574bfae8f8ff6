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
