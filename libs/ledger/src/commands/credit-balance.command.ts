import type { CommandOf } from '@storecredit/contracts';

export class CreditBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.credit'>) {}
}
