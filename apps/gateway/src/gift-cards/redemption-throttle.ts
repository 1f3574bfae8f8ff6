import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../database';
import { ApiError } from '../http/api-error';

/** Failed redemptions allowed per window before 429, per staff member or API key. */
export const failuresPerPrincipalMax = 5;
/**
 * Failed redemptions allowed per window from one client address before 429. A salon's front desk (or everyone
 * behind one proxy) shares an address, so it allows ten principals' worth: it stops one machine that cycles
 * through many keys, not a handful of staff.
 */
export const failuresPerAddressMax = 50;
export const throttleWindowMs = 15 * 60 * 1000;
/** Failures across a business in one window from which it is under attack: logged and slowed, never locked. */
export const failuresPerBusinessAlertMin = 30;
/** Added to each failed attempt while the business is under attack, so many principals together guess slowly too. */
export const failedAttemptDelayUnderAttackMs = 1_000;
/** Keeps the business counter far from integer overflow under a flood. */
const businessFailuresMax = 1_000_000;

interface Bucket {
  key: string;
  max: number;
  scope: 'staff' | 'address';
}

interface Window {
  failures: number;
  window_started_at: Date;
}

/** Who is trying: the staff member or key, and the address the request came from. */
export interface Attempter {
  principalId: string;
  address: string;
}

export interface FailedRedemptions {
  failures: number;
  windowStartedAt: string | null;
  windowMs: number;
  underAttack: boolean;
}

/**
 * Slows down guessing: with 80-bit codes and a handful of failures allowed per 15 minutes, guessing a code would
 * take longer than the universe has existed. Each attempt is counted against its principal and address before it
 * runs and forgiven when it succeeds, so a burst of parallel guesses cannot slip past the check together. The
 * business as a whole is never locked (six staff could otherwise stop every redemption, the owner's included):
 * its failures are counted, logged and slowed down instead. Counts live in PostgreSQL so every replica shares them.
 */
@Injectable()
export class RedemptionThrottle {
  private readonly logger = new Logger(RedemptionThrottle.name);

  constructor(private readonly db: Database) {}

  /** Counts an attempt against the principal and the address; throws 429 when either is already full. */
  async reserveAttempt(businessId: string, attempter: Attempter): Promise<void> {
    const reserved: Bucket[] = [];
    for (const bucket of this.buckets(attempter)) {
      const row = await this.count(businessId, bucket.key, bucket.max + 1);
      if (row.failures > bucket.max) {
        // The attempt does not run, so the buckets it was already counted in get it back.
        await this.forgive(businessId, reserved);
        throw tooMany(row, bucket.scope);
      }
      reserved.push(bucket);
    }
  }

  /** A successful redemption (or one refused for another reason than the code) is not a failed guess. */
  async forgiveAttempt(businessId: string, attempter: Attempter): Promise<void> {
    await this.forgive(businessId, this.buckets(attempter));
  }

  /** Counts a failed guess for the business; under attack, warns and holds the answer back a while. */
  async recordFailedGuess(businessId: string): Promise<void> {
    const { failures } = await this.count(businessId, 'business', businessFailuresMax);
    if (failures < failuresPerBusinessAlertMin) return;
    if (failures % failuresPerBusinessAlertMin === 0) {
      this.logger.warn(
        `gift card guessing in business ${businessId}: ${failures} failed redemptions within ${throttleWindowMs / 60_000} minutes; ` +
          `failures slowed by ${failedAttemptDelayUnderAttackMs} ms, redemptions not locked`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, failedAttemptDelayUnderAttackMs));
  }

  /** The business's failed redemptions in the current window, for its owner. */
  async failedRedemptions(businessId: string): Promise<FailedRedemptions> {
    const row = await this.db.one<Window>(
      `select failures, window_started_at from rate_limit
       where business_id = ? and bucket = 'business' and window_started_at >= now() - make_interval(secs => ?)`,
      [businessId, throttleWindowMs / 1000],
    );
    const failures = row?.failures ?? 0;
    return {
      failures,
      windowStartedAt: row ? new Date(row.window_started_at).toISOString() : null,
      windowMs: throttleWindowMs,
      underAttack: failures >= failuresPerBusinessAlertMin,
    };
  }

  /** Adds one failure to a bucket (starting a new window when the last one ended), never past `cap`. */
  private async count(businessId: string, bucket: string, cap: number): Promise<Window> {
    const [row] = await this.db.query<Window>(
      `insert into rate_limit (business_id, bucket, window_started_at, failures) values (?, ?, now(), 1)
       on conflict (business_id, bucket) do update set
         failures = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then 1
                         else least(rate_limit.failures + 1, ?) end,
         window_started_at = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then now()
                                  else rate_limit.window_started_at end
       returning failures, window_started_at`,
      [businessId, bucket, throttleWindowMs / 1000, cap, throttleWindowMs / 1000],
    );
    return row;
  }

  private async forgive(businessId: string, buckets: readonly Bucket[]): Promise<void> {
    for (const bucket of buckets) {
      await this.db.query('update rate_limit set failures = greatest(failures - 1, 0) where business_id = ? and bucket = ?', [businessId, bucket.key]);
    }
  }

  private buckets(attempter: Attempter): Bucket[] {
    return [
      { key: `principal:${attempter.principalId}`, max: failuresPerPrincipalMax, scope: 'staff' },
      { key: `address:${attempter.address}`, max: failuresPerAddressMax, scope: 'address' },
    ];
  }
}

function tooMany(row: Window, scope: Bucket['scope']): ApiError {
  const windowEndsAt = new Date(row.window_started_at).getTime() + throttleWindowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000));
  return new ApiError('too_many_requests', { retryAfterSeconds, scope }, 'Too many failed gift card attempts; try again later', {
    'retry-after': String(retryAfterSeconds),
  });
}
