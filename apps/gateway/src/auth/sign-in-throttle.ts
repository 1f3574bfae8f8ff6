import { Injectable } from '@nestjs/common';
import { Clock } from '@storecredit/ledger';
import { Database } from '../database';
import { ApiError } from '../http/api-error';

/** Failed sign-ins allowed per window before 429: per account (email) and per client address. */
export const signInFailuresPerAccountMax = 5;
export const signInFailuresPerAddressMax = 20;
export const signInThrottleWindowMs = 15 * 60 * 1000;

interface Bucket {
  key: string;
  max: number;
}

/** The buckets a password attempt counts against: the email's always (known or not), the address's when known. */
export function signInBuckets(email: string, address: string | undefined): Bucket[] {
  const account = { key: `account:${email.trim().toLowerCase()}`, max: signInFailuresPerAccountMax };
  return address === undefined ? [account] : [account, { key: `address:${address}`, max: signInFailuresPerAddressMax }];
}

/**
 * Slows down password guessing. Each attempt is counted as a failure before its password is checked and forgiven
 * when it succeeds, so a burst of parallel guesses cannot slip past the check together. An unknown email has a
 * bucket like any other, so the throttle does not tell which emails exist. Windows are fixed (they start at the
 * first failure); counts live in PostgreSQL, so every gateway replica shares them.
 */
@Injectable()
export class SignInThrottle {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Counts an attempt against every bucket; throws 429 when any of them was already full. */
  async reserveAttempt(buckets: readonly Bucket[]): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - signInThrottleWindowMs);
    const rows = await this.db.query<{ bucket: string; failures: number; window_started_at: Date }>(
      `insert into sign_in_throttle (bucket, window_started_at, failures)
       select bucket, ?::timestamptz, 1 from json_array_elements_text(?::json) as bucket
       on conflict (bucket) do update set
         failures = case when sign_in_throttle.window_started_at <= ?::timestamptz then 1 else sign_in_throttle.failures + 1 end,
         window_started_at = case when sign_in_throttle.window_started_at <= ?::timestamptz then excluded.window_started_at
                                  else sign_in_throttle.window_started_at end
       returning bucket, failures, window_started_at`,
      [now, JSON.stringify(buckets.map((bucket) => bucket.key)), windowStart, windowStart],
    );
    const full = rows.filter((row) => row.failures > (buckets.find((bucket) => bucket.key === row.bucket)?.max ?? 0));
    if (full.length === 0) return;
    const windowEndMs = Math.max(...full.map((row) => new Date(row.window_started_at).getTime() + signInThrottleWindowMs));
    const retryAfterSeconds = Math.max(1, Math.ceil((windowEndMs - now.getTime()) / 1000));
    throw new ApiError('too_many_requests', { retryAfterSeconds }, 'Too many failed sign-in attempts; try again later', {
      'retry-after': String(retryAfterSeconds),
    });
  }

  /** A successful sign-in: the account starts afresh, and the address gets this attempt back. */
  async forgiveAttempt(buckets: readonly Bucket[]): Promise<void> {
    const [account, ...others] = buckets;
    await this.db.query('delete from sign_in_throttle where bucket = ?', [account.key]);
    for (const bucket of others) {
      await this.db.query('update sign_in_throttle set failures = greatest(failures - 1, 0) where bucket = ?', [bucket.key]);
    }
  }
}
