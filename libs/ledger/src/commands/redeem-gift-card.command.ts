import type { CommandOf } from '@storecredit/contracts';

export class RedeemGiftCardCommand {
  constructor(readonly payload: CommandOf<'giftcard.redeem'>) {}
}
