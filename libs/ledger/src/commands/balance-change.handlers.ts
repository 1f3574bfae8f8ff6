import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { bonusFor, Decimal, type BalanceChangeCommand, type BalanceCreditCommand, type EntryType } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { LedgerRejection } from '../errors';
import { creditSource } from '../lot-rules';
import type { Posting, UnitOfWork } from '../unit-of-work';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class AddBalanceCommand extends LedgerCommand<'balance.add'> {}
export class CreditBalanceCommand extends LedgerCommand<'balance.credit'> {}
export class DeductBalanceCommand extends LedgerCommand<'balance.deduct'> {}
export class DebitBalanceCommand extends LedgerCommand<'balance.debit'> {}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Add and credit create one lot each (its source follows from the command and its reference, lot-rules.ts:
 * creditSource), expiring at the command's expiresAt, which must be in the future. A paid top-up (`balance.add` with
 * reference type `payment`) that reaches a tier of the business's bonus rules for the currency also writes a
 * bonus_credit entry and its bonus lot, in the same command: the reply shows both.
 */
abstract class BalanceCreditHandler<T extends BalanceCreditCommand['type']> implements ICommandHandler<LedgerCommand<T>, Decision> {
  protected abstract readonly entryType: EntryType;

  async execute({ payload, work, now }: LedgerCommand<T>): Promise<Decision> {
    const command: BalanceCreditCommand = payload;
    const expiresAt = command.expiresAt === undefined ? null : new Date(command.expiresAt);
    if (expiresAt !== null && expiresAt <= now) throw new LedgerRejection('expiry_not_in_future', { expiresAt: command.expiresAt });
    const referenceType = command.reference?.type ?? 'manual';
    const amount = new Decimal(command.amount);
    const posted = work.post(
      command,
      {
        type: this.entryType,
        amount,
        referenceType,
        referenceId: command.reference?.id ?? null,
        lots: [{ source: creditSource(command.type, referenceType), amount, expiresAt }],
      },
      now,
    );
    const bonus = command.type === 'balance.add' && referenceType === 'payment' ? postBonus(work, command, posted.entry.id, now) : undefined;
    const result = postedResult(posted, { lots: posted.lots });
    if (!bonus) return result;
    return { ...result, balanceAfter: bonus.wallet.balance, bonus: { entryId: bonus.entry.id, amount: bonus.entry.amount, lot: bonus.lots[0], tier: bonus.tier } };
  }
}

/** The bonus a paid top-up earns under the business's rules, posted as its own entry and lot; none below every tier. */
function postBonus(work: UnitOfWork, command: BalanceCreditCommand, topUpEntryId: string, now: Date) {
  const rule = work.bonusRule(command.businessId, command.currency);
  const earned = rule ? bonusFor(rule.tiers, command.amount, command.currency) : null;
  if (!rule || !earned) return undefined;
  const amount = new Decimal(earned.amount);
  // A bonus never outlives the paid credit that earned it: the rule's days, or the top-up's own expiry if sooner.
  const ruleExpiry = rule.expiresInDays === null ? null : new Date(now.getTime() + rule.expiresInDays * dayMs);
  const topUpExpiry = command.expiresAt === undefined ? null : new Date(command.expiresAt);
  const expiresAt = ruleExpiry === null ? topUpExpiry : topUpExpiry === null || ruleExpiry < topUpExpiry ? ruleExpiry : topUpExpiry;
  const posting: Posting = {
    type: 'bonus_credit',
    amount,
    referenceType: 'payment',
    referenceId: command.reference?.id ?? null,
    lots: [{ source: 'bonus', amount, expiresAt, bonusForEntryId: topUpEntryId }],
    bonusTier: earned.tier,
  };
  return { ...work.post(command, posting, now), tier: earned.tier };
}

/** Deduct and debit draw from the wallet's lots in the consumption order; below zero (or below what holds reserve) is refused by UnitOfWork.post. */
abstract class BalanceDebitHandler<T extends 'balance.deduct' | 'balance.debit'> implements ICommandHandler<LedgerCommand<T>, Decision> {
  protected abstract readonly entryType: EntryType;

  async execute({ payload, work, now }: LedgerCommand<T>): Promise<Decision> {
    const command: BalanceChangeCommand = payload;
    const posted = work.post(
      command,
      {
        type: this.entryType,
        amount: new Decimal(command.amount).negated(),
        referenceType: command.reference?.type ?? 'manual',
        referenceId: command.reference?.id ?? null,
      },
      now,
    );
    return postedResult(posted, { allocations: posted.allocations });
  }
}

/** Staff add credit (a top-up, a goodwill gesture). */
@CommandHandler(AddBalanceCommand)
export class AddBalanceHandler extends BalanceCreditHandler<'balance.add'> {
  protected readonly entryType = 'balance_added';
}

/** A service credits the balance (a promotion, a correction). */
@CommandHandler(CreditBalanceCommand)
export class CreditBalanceHandler extends BalanceCreditHandler<'balance.credit'> {
  protected readonly entryType = 'balance_credit';
}

/** Staff deduct credit; never below zero. */
@CommandHandler(DeductBalanceCommand)
export class DeductBalanceHandler extends BalanceDebitHandler<'balance.deduct'> {
  protected readonly entryType = 'balance_deducted';
}

/** A service debits the balance; never below zero. */
@CommandHandler(DebitBalanceCommand)
export class DebitBalanceHandler extends BalanceDebitHandler<'balance.debit'> {
  protected readonly entryType = 'balance_debit';
}
