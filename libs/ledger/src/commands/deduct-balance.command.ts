import type { CommandOf } from '@storecredit/contracts';

export class DeductBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.deduct'>) {}
}
