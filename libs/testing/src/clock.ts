import { Clock } from '@storecredit/ledger';

/** A clock the test moves, so expiry is tested without waiting. */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
