import type { CommandOf } from '@storecredit/contracts';

export class PayWithBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.pay'>) {}
}
