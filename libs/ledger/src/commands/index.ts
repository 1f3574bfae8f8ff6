import type { Command, CommandType } from '@storecredit/contracts';
import type { UnitOfWork } from '../unit-of-work';
import {
  AddBalanceCommand,
  AddBalanceHandler,
  CreditBalanceCommand,
  CreditBalanceHandler,
  DebitBalanceCommand,
  DebitBalanceHandler,
  DeductBalanceCommand,
  DeductBalanceHandler,
} from './balance-change.handlers';
import {
  CaptureHoldCommand,
  CaptureHoldHandler,
  ExpireHoldCommand,
  ExpireHoldHandler,
  PlaceHoldCommand,
  PlaceHoldHandler,
  ReleaseHoldCommand,
  ReleaseHoldHandler,
} from './hold.handlers';
import { IssueGiftCardCommand, IssueGiftCardHandler } from './issue-gift-card.handler';
import { ExpireCreditCommand, ExpireCreditHandler, ReverseEntryCommand, ReverseEntryHandler } from './lot.handlers';
import type { LedgerCommand } from './ledger-command';
import { PayWithBalanceCommand, PayWithBalanceHandler } from './pay-with-balance.handler';
import { RedeemGiftCardCommand, RedeemGiftCardHandler } from './redeem-gift-card.handler';
import { RefundToBalanceCommand, RefundToBalanceHandler } from './refund-to-balance.handler';
import { VoidGiftCardCommand, VoidGiftCardHandler } from './void-gift-card.handler';

export * from './ledger-command';
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
  PlaceHoldCommand,
  CaptureHoldCommand,
  ReleaseHoldCommand,
  ExpireHoldCommand,
  ReverseEntryCommand,
  ExpireCreditCommand,
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
  PlaceHoldHandler,
  CaptureHoldHandler,
  ReleaseHoldHandler,
  ExpireHoldHandler,
  ReverseEntryHandler,
  ExpireCreditHandler,
];

type CommandClasses = { [T in CommandType]: new (payload: Extract<Command, { type: T }>, work: UnitOfWork, now: Date) => LedgerCommand<T> };

/** The @nestjs/cqrs command class of each contract command type: one class, and one handler, per intent. */
const commandClasses: CommandClasses = {
  'balance.add': AddBalanceCommand,
  'balance.credit': CreditBalanceCommand,
  'balance.deduct': DeductBalanceCommand,
  'balance.debit': DebitBalanceCommand,
  'balance.pay': PayWithBalanceCommand,
  'balance.refund': RefundToBalanceCommand,
  'giftcard.issue': IssueGiftCardCommand,
  'giftcard.void': VoidGiftCardCommand,
  'giftcard.redeem': RedeemGiftCardCommand,
  'balance.hold': PlaceHoldCommand,
  'balance.capture': CaptureHoldCommand,
  'balance.release': ReleaseHoldCommand,
  'balance.expire-hold': ExpireHoldCommand,
  'balance.reverse': ReverseEntryCommand,
  'balance.expire-credit': ExpireCreditCommand,
};

/** The bus command that decides a contract command against a unit of work, at `now`. */
export function toCqrsCommand(command: Command, work: UnitOfWork, now: Date): LedgerCommand<CommandType> {
  const CommandClass = commandClasses[command.type] as new (payload: Command, work: UnitOfWork, now: Date) => LedgerCommand<CommandType>;
  return new CommandClass(command, work, now);
}
