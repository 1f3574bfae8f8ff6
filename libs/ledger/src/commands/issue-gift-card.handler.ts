import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatAmount, giftCardLast4, hashGiftCardCode } from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { Decision } from '../command-outcomes';
import { LedgerRejection } from '../errors';
import { actorLabel, giftCardResult } from '../unit-of-work';
import { LedgerCommand } from './ledger-command';

export class IssueGiftCardCommand extends LedgerCommand<'giftcard.issue'> {}

/** Issues a card under a code no other card of the business has; the code itself is never stored. */
@CommandHandler(IssueGiftCardCommand)
export class IssueGiftCardHandler implements ICommandHandler<IssueGiftCardCommand, Decision> {
  async execute({ payload, work, now }: IssueGiftCardCommand): Promise<Decision> {
    if (work.giftCardByCode(payload.businessId, payload.code)) throw new LedgerRejection('gift_card_exists');
    const expiresAt = payload.expiresAt === undefined ? null : new Date(payload.expiresAt);
    if (expiresAt !== null && expiresAt <= now) {
      throw new LedgerRejection('gift_card_expired', { expiresAt: payload.expiresAt }, 'Expiry must be in the future');
    }
    const card = work.addGiftCard({
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
    work.giftCardEvent(card, 'giftcard.issued', payload.commandId, now);
    return giftCardResult(card);
  }
}
