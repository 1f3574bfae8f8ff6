import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, isGiftCardExpired, type CommandOf } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import type { GiftCard } from '../entities';
import { LedgerRejection } from '../errors';
import { GiftCards } from '../gift-cards';
import { WalletLedger } from '../wallet-ledger';
import { RedeemGiftCardCommand } from './redeem-gift-card.command';
import { postedResult } from './wallet-result';

/**
 * Redeems a card into the client's balance once: the card row's version check makes the second of two
 * racing redemptions retry, see the card redeemed, and be refused.
 */
@CommandHandler(RedeemGiftCardCommand)
export class RedeemGiftCardHandler implements ICommandHandler<RedeemGiftCardCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly giftCards: GiftCards,
    private readonly ledger: WalletLedger,
  ) {}

  execute({ payload }: RedeemGiftCardCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const card = await this.giftCards.findByCode(tx, payload.businessId, payload.code);
      assertRedeemable(card, payload, now);
      card.status = 'redeemed';
      card.redeemedAt = now;
      card.redeemedClientId = payload.clientId;
      const wallet = await this.ledger.findWallet(tx, payload);
      const posted = this.ledger.post(
        tx,
        wallet,
        payload,
        { type: 'gift_card_redeemed', amount: new Decimal(card.amount), referenceType: 'manual', referenceId: card.id },
        now,
      );
      this.giftCards.recordEvent(tx, card, 'giftcard.redeemed', payload.commandId, now);
      return postedResult(posted, { giftCardId: card.id });
    });
  }
}

function assertRedeemable(card: GiftCard | null, payload: CommandOf<'giftcard.redeem'>, now: Date): asserts card is GiftCard {
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
