import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { giftCardsKey, hashGiftCardCode, type GiftCardEvent, type GiftCardResult } from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import { GiftCard, OutboxMessage } from './entities';

/** Gift card lookups and lifecycle events; handlers decide the rules. */
@Injectable()
export class GiftCards {
  findByCode(tx: EntityManager, businessId: string, code: string): Promise<GiftCard | null> {
    return tx.findOne(GiftCard, { businessId, codeHash: hashGiftCardCode(code) });
  }

  findById(tx: EntityManager, businessId: string, id: string): Promise<GiftCard | null> {
    return tx.findOne(GiftCard, { businessId, id });
  }

  recordEvent(tx: EntityManager, card: GiftCard, type: GiftCardEvent['type'], commandId: string, now: Date): void {
    const event: GiftCardEvent = {
      schemaVersion: 1,
      type,
      eventId: uuidv7(),
      businessId: card.businessId,
      giftCardId: card.id,
      last4: card.last4,
      amount: card.amount,
      currency: card.currency,
      expiresAt: card.expiresAt?.toISOString() ?? null,
      commandId,
      occurredAt: now.toISOString(),
    };
    tx.create(OutboxMessage, {
      id: event.eventId,
      businessId: card.businessId,
      messageKey: giftCardsKey(card.businessId),
      sequence: 0,
      payload: event,
    });
  }
}

export function giftCardResult(card: GiftCard): GiftCardResult {
  return {
    giftCardId: card.id,
    last4: card.last4,
    amount: card.amount,
    currency: card.currency,
    status: card.status,
    expiresAt: card.expiresAt?.toISOString() ?? null,
  };
}
