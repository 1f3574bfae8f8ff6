import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { RedemptionThrottleRepository, type ThrottleWindow } from './redemption-throttle.repository';

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
/** The bucket that counts a business's failed guesses, whoever made them. */
const businessBucket = 'business';

interface Bucket {
  key: string;
  max: number;
  scope: 'staff' | 'address';
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
 * its failures are counted, logged and slowed down instead. Counts live in PostgreSQL so every replica shares them
 * (RedemptionThrottleRepository).
 */
@Injectable()
export class RedemptionThrottle {
  private readonly logger = new Logger(RedemptionThrottle.name);

  constructor(private readonly counters: RedemptionThrottleRepository) {}

  /** Counts an attempt against the principal and the address; throws 429 when either is already full. */
  async reserveAttempt(businessId: string, attempter: Attempter): Promise<void> {
    const reserved: Bucket[] = [];
    for (const bucket of this.buckets(attempter)) {
      const row = await this.counters.count(businessId, bucket.key, bucket.max + 1, throttleWindowMs);
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
    const { failures } = await this.counters.count(businessId, businessBucket, businessFailuresMax, throttleWindowMs);
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
    const row = await this.counters.currentWindow(businessId, businessBucket, throttleWindowMs);
    const failures = row?.failures ?? 0;
    return {
      failures,
      windowStartedAt: row ? new Date(row.window_started_at).toISOString() : null,
      windowMs: throttleWindowMs,
      underAttack: failures >= failuresPerBusinessAlertMin,
    };
  }

  private async forgive(businessId: string, buckets: readonly Bucket[]): Promise<void> {
    for (const bucket of buckets) {
      await this.counters.giveBack(businessId, bucket.key);
    }
  }

  private buckets(attempter: Attempter): Bucket[] {
    return [
      { key: `principal:${attempter.principalId}`, max: failuresPerPrincipalMax, scope: 'staff' },
      { key: `address:${attempter.address}`, max: failuresPerAddressMax, scope: 'address' },
    ];
  }
}

function tooMany(row: ThrottleWindow, scope: Bucket['scope']): ApiError {
  const windowEndsAt = new Date(row.window_started_at).getTime() + throttleWindowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000));
  return new ApiError('too_many_requests', { retryAfterSeconds, scope }, 'Too many failed gift card attempts; try again later', {
    'retry-after': String(retryAfterSeconds),
  });
}
