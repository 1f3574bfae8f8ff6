import type { CommandOf } from '@storecredit/contracts';

export class VoidGiftCardCommand {
  constructor(readonly payload: CommandOf<'giftcard.void'>) {}
}
