import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatAmount, giftCardLast4, hashGiftCardCode } from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import { CommandExecutor, type CommandOutcome } from '../command-executor';
import { GiftCard } from '../entities';
import { LedgerRejection } from '../errors';
import { GiftCards, giftCardResult } from '../gift-cards';
import { actorLabel } from '../wallet-ledger';
import { IssueGiftCardCommand } from './issue-gift-card.command';

@CommandHandler(IssueGiftCardCommand)
export class IssueGiftCardHandler implements ICommandHandler<IssueGiftCardCommand, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly giftCards: GiftCards,
  ) {}

  execute({ payload }: IssueGiftCardCommand): Promise<CommandOutcome> {
    return this.executor.execute(payload, async (tx, now) => {
      if (await this.giftCards.findByCode(tx, payload.businessId, payload.code)) throw new LedgerRejection('gift_card_exists');
      const expiresAt = payload.expiresAt === undefined ? null : new Date(payload.expiresAt);
      if (expiresAt !== null && expiresAt <= now) {
        throw new LedgerRejection('gift_card_expired', { expiresAt: payload.expiresAt }, 'Expiry must be in the future');
      }
      const card = tx.create(GiftCard, {
        businessId: payload.businessId,
        id: uuidv7(),
        codeHash: hashGiftCardCode(payload.code),
        last4: giftCardLast4(payload.code),
        amount: formatAmount(payload.amount, payload.currency),
        currency: payload.currency,
        status: 'active',
        expiresAt,
        redeemedClientId: null,
        redeemedAt: null,
        voidedAt: null,
        issuedBy: actorLabel(payload.actor),
        version: 1,
        createdAt: now,
      });
      this.giftCards.recordEvent(tx, card, 'giftcard.issued', payload.commandId, now);
      return giftCardResult(card);
    });
  }
}
