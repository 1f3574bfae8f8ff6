import type { Command, CommandType } from '@storecredit/contracts';
import { AddBalanceCommand } from './add-balance.command';
import { AddBalanceHandler } from './add-balance.handler';
import { CreditBalanceCommand } from './credit-balance.command';
import { CreditBalanceHandler } from './credit-balance.handler';
import { DebitBalanceCommand } from './debit-balance.command';
import { DebitBalanceHandler } from './debit-balance.handler';
import { DeductBalanceCommand } from './deduct-balance.command';
import { DeductBalanceHandler } from './deduct-balance.handler';
import { IssueGiftCardCommand } from './issue-gift-card.command';
import { IssueGiftCardHandler } from './issue-gift-card.handler';
import { PayWithBalanceCommand } from './pay-with-balance.command';
import { PayWithBalanceHandler } from './pay-with-balance.handler';
import { RedeemGiftCardCommand } from './redeem-gift-card.command';
import { RedeemGiftCardHandler } from './redeem-gift-card.handler';
import { RefundToBalanceCommand } from './refund-to-balance.command';
import { RefundToBalanceHandler } from './refund-to-balance.handler';
import { VoidGiftCardCommand } from './void-gift-card.command';
import { VoidGiftCardHandler } from './void-gift-card.handler';

export {
  AddBalanceCommand,
  CreditBalanceCommand,
  DebitBalanceCommand,
  DeductBalanceCommand,
  IssueGiftCardCommand,
  PayWithBalanceCommand,
  RedeemGiftCardCommand,
  RefundToBalanceCommand,
  VoidGiftCardCommand,
};

export const commandHandlers = [
  AddBalanceHandler,
  CreditBalanceHandler,
  DeductBalanceHandler,
  DebitBalanceHandler,
  PayWithBalanceHandler,
  RefundToBalanceHandler,
  IssueGiftCardHandler,
  VoidGiftCardHandler,
  RedeemGiftCardHandler,
];

type CqrsCommandFor = { [T in CommandType]: (payload: Extract<Command, { type: T }>) => object };

const cqrsCommands: CqrsCommandFor = {
  'balance.add': (payload) => new AddBalanceCommand(payload),
  'balance.credit': (payload) => new CreditBalanceCommand(payload),
  'balance.deduct': (payload) => new DeductBalanceCommand(payload),
  'balance.debit': (payload) => new DebitBalanceCommand(payload),
  'balance.pay': (payload) => new PayWithBalanceCommand(payload),
  'balance.refund': (payload) => new RefundToBalanceCommand(payload),
  'giftcard.issue': (payload) => new IssueGiftCardCommand(payload),
  'giftcard.void': (payload) => new VoidGiftCardCommand(payload),
  'giftcard.redeem': (payload) => new RedeemGiftCardCommand(payload),
};

/** The @nestjs/cqrs command for a contract command: one class, and one handler, per intent. */
export function toCqrsCommand(command: Command): object {
  const build = cqrsCommands[command.type] as (payload: Command) => object;
  return build(command);
}
