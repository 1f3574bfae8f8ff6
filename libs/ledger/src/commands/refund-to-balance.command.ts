import type { CommandOf } from '@storecredit/contracts';

export class RefundToBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.refund'>) {}
}
