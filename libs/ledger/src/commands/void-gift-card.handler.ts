import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { isGiftCardVoidable } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { LedgerRejection } from '../errors';
import { giftCardResult } from '../unit-of-work';
import { LedgerCommand } from './ledger-command';

export class VoidGiftCardCommand extends LedgerCommand<'giftcard.void'> {}

/** Voids an active card; a redeemed card is spent and cannot be voided, a void card stays void. */
@CommandHandler(VoidGiftCardCommand)
export class VoidGiftCardHandler implements ICommandHandler<VoidGiftCardCommand, Decision> {
  async execute({ payload, work, now }: VoidGiftCardCommand): Promise<Decision> {
    const card = work.giftCardById(payload.businessId, payload.giftCardId);
    if (!card) throw new LedgerRejection('gift_card_not_found');
    if (card.status === 'redeemed') throw new LedgerRejection('gift_card_already_redeemed');
    if (isGiftCardVoidable(card)) {
      work.changeGiftCard(card, { status: 'void', voidedAt: now });
      work.giftCardEvent(card, 'giftcard.voided', payload.commandId, now);
    }
    return giftCardResult(card);
  }
}
