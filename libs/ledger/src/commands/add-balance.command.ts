import type { CommandOf } from '@storecredit/contracts';

export class AddBalanceCommand {
  constructor(readonly payload: CommandOf<'balance.add'>) {}
}
