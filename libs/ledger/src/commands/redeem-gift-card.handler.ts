import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, isGiftCardExpired, type CommandOf } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { LedgerRejection } from '../errors';
import type { WorkGiftCard } from '../unit-of-work';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class RedeemGiftCardCommand extends LedgerCommand<'giftcard.redeem'> {}

/**
 * Redeems a card into the client's balance once: the card row's version makes the second of two racing
 * redemptions (two workers) fail its write, be decided again, see the card redeemed, and be refused.
 */
@CommandHandler(RedeemGiftCardCommand)
export class RedeemGiftCardHandler implements ICommandHandler<RedeemGiftCardCommand, Decision> {
  async execute({ payload, work, now }: RedeemGiftCardCommand): Promise<Decision> {
    const card = work.giftCardByCode(payload.businessId, payload.code);
    assertRedeemable(card, payload, now);
    const amount = new Decimal(card.amount);
    const posted = work.post(
      payload,
      { type: 'gift_card_redeemed', amount, referenceType: 'manual', referenceId: card.id, lots: [{ source: 'gift_card', amount, expiresAt: null }] },
      now,
    );
    work.changeGiftCard(card, { status: 'redeemed', redeemedAt: now, redeemedClientId: payload.clientId });
    work.giftCardEvent(card, 'giftcard.redeemed', payload.commandId, now);
    return postedResult(posted, { giftCardId: card.id, lots: posted.lots });
  }
}

function assertRedeemable(card: WorkGiftCard | undefined, payload: CommandOf<'giftcard.redeem'>, now: Date): asserts card is WorkGiftCard {
  if (!card) throw new LedgerRejection('gift_card_not_found');
  if (card.status === 'void') throw new LedgerRejection('gift_card_voided');
  if (card.status === 'redeemed') throw new LedgerRejection('gift_card_already_redeemed');
  if (card.expiresAt !== null && isGiftCardExpired(card, now)) {
    throw new LedgerRejection('gift_card_expired', { expiresAt: card.expiresAt.toISOString() });
  }
  if (card.currency !== payload.currency) {
    throw new LedgerRejection('currency_mismatch', { giftCardCurrency: card.currency, currency: payload.currency });
  }
}
