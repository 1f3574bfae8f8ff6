import type { CommandOf } from '@storecredit/contracts';

export class DebitBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.debit'>) {}
}
