import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { isGiftCardVoidable } from '@storecredit/contracts';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { LedgerRejection } from '../errors';
import { GiftCards, giftCardResult } from '../gift-cards';
import { VoidGiftCardCommand } from './void-gift-card.command';

/** Voids an active card; a redeemed card is spent and cannot be voided, a void card stays void. */
@CommandHandler(VoidGiftCardCommand)
export class VoidGiftCardHandler implements ICommandHandler<VoidGiftCardCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly giftCards: GiftCards,
  ) {}

  execute({ payload }: VoidGiftCardCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      const card = await this.giftCards.findById(tx, payload.businessId, payload.giftCardId);
      if (!card) throw new LedgerRejection('gift_card_not_found');
      if (card.status === 'redeemed') throw new LedgerRejection('gift_card_already_redeemed');
      if (isGiftCardVoidable(card)) {
        card.status = 'void';
        card.voidedAt = now;
        this.giftCards.recordEvent(tx, card, 'giftcard.voided', payload.commandId, now);
      }
      return giftCardResult(card);
    });
  }
}
