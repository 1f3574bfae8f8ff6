import type { CommandOf } from '@storecredit/contracts';

export class IssueGiftCardCommand {
  constructor(readonly payload: CommandOf<'giftcard.issue'>) {}
}
