import { Injectable } from '@nestjs/common';
import { Clock } from '@storecredit/ledger';
import { ApiError } from '../http/api-error';
import { SignInThrottleRepository } from './sign-in-throttle.repository';
import { normalStaffEmail } from './staff-email';

/**
 * Failed sign-ins allowed per window before 429. An account is locked for everyone only by failures from many
 * addresses: one address gets the low limit on an account, and the high one stops guessing spread over addresses.
 */
export const signInFailuresPerAccountAndAddressMax = 5;
export const signInFailuresPerAccountMax = 50;
export const signInFailuresPerAddressMax = 20;
export const signInThrottleWindowMs = 15 * 60 * 1000;

interface Bucket {
  key: string;
  max: number;
  /** A successful sign-in forgets this bucket's failures, or gives back the attempt it counted. */
  onSuccess: 'forget' | 'give_back';
}

/**
 * The buckets a password attempt counts against, known email or not: the account from this address, the account
 * from anywhere, and this address. An attempt without an address (in-process callers) counts as one more address.
 */
export function signInBuckets(email: string, address: string | undefined): Bucket[] {
  const account = normalStaffEmail(email);
  const from = address ?? 'unknown';
  return [
    { key: `account-address:${JSON.stringify([account, from])}`, max: signInFailuresPerAccountAndAddressMax, onSuccess: 'forget' },
    { key: `account:${account}`, max: signInFailuresPerAccountMax, onSuccess: 'give_back' },
    { key: `address:${from}`, max: signInFailuresPerAddressMax, onSuccess: 'give_back' },
  ];
}

/**
 * Slows down password guessing. Each attempt is counted as a failure before its password is checked and forgiven
 * when it succeeds, so a burst of parallel guesses cannot slip past the check together. An unknown email has a
 * bucket like any other, so the throttle does not tell which emails exist. Windows are fixed (they start at the
 * first failure); counts live in PostgreSQL (SignInThrottleRepository), so every gateway replica shares them.
 */
@Injectable()
export class SignInThrottle {
  constructor(
    private readonly counters: SignInThrottleRepository,
    private readonly clock: Clock,
  ) {}

  /** Counts an attempt against every bucket; throws 429 when any of them was already full. */
  async reserveAttempt(buckets: readonly Bucket[]): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - signInThrottleWindowMs);
    const rows = await this.counters.count(buckets.map((bucket) => bucket.key), now, windowStart);
    const full = rows.filter((row) => row.failures > (buckets.find((bucket) => bucket.key === row.bucket)?.max ?? 0));
    if (full.length === 0) return;
    const windowEndMs = Math.max(...full.map((row) => new Date(row.window_started_at).getTime() + signInThrottleWindowMs));
    const retryAfterSeconds = Math.max(1, Math.ceil((windowEndMs - now.getTime()) / 1000));
    throw new ApiError('too_many_requests', { retryAfterSeconds }, 'Too many failed sign-in attempts; try again later', {
      'retry-after': String(retryAfterSeconds),
    });
  }

  /**
   * A successful sign-in: the account starts afresh from this address; the account and the address get this attempt
   * back, so failures from other addresses still count.
   */
  async forgiveAttempt(buckets: readonly Bucket[]): Promise<void> {
    for (const bucket of buckets) {
      if (bucket.onSuccess === 'forget') await this.counters.forget(bucket.key);
      else await this.counters.giveBack(bucket.key);
    }
  }
}
