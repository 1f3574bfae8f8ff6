import { Injectable } from '@nestjs/common';
import { Database } from '../database';
import { ApiError } from '../http/api-error';

/** Failed redemptions allowed per window before 429, per staff member or key, and per business. */
export const failuresPerPrincipalMax = 5;
export const failuresPerBusinessMax = 30;
export const throttleWindowMs = 15 * 60 * 1000;

interface Bucket {
  key: string;
  max: number;
}

/**
 * Slows down guessing: with 80-bit codes and a handful of failures allowed per 15 minutes, guessing a code
 * would take longer than the universe has existed. Each attempt is counted as a failure before it runs and
 * forgiven when it succeeds, so a burst of parallel guesses cannot slip past the check together. Counts live
 * in PostgreSQL so every gateway replica shares them.
 */
@Injectable()
export class RedemptionThrottle {
  constructor(private readonly db: Database) {}

  /** Counts an attempt against every bucket; throws 429 when any bucket is already full. */
  async reserveAttempt(businessId: string, principalId: string): Promise<void> {
    for (const bucket of this.buckets(principalId)) {
      const [row] = await this.db.query<{ failures: number; window_started_at: Date }>(
        `insert into rate_limit (business_id, bucket, window_started_at, failures) values (?, ?, now(), 1)
         on conflict (business_id, bucket) do update set
           failures = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then 1
                           else least(rate_limit.failures + 1, ?) end,
           window_started_at = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then now()
                                    else rate_limit.window_started_at end
         returning failures, window_started_at`,
        [businessId, bucket.key, throttleWindowMs / 1000, bucket.max + 1, throttleWindowMs / 1000],
      );
      if (row.failures > bucket.max) {
        const windowEndsAt = new Date(row.window_started_at).getTime() + throttleWindowMs;
        const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000));
        throw new ApiError(
          'too_many_requests',
          { retryAfterSeconds, scope: bucket.key.startsWith('principal:') ? 'staff' : 'business' },
          'Too many failed gift card attempts; try again later',
          { 'retry-after': String(retryAfterSeconds) },
        );
      }
    }
  }

  /** A successful redemption (or one refused for another reason than the code) is not a failed guess. */
  async forgiveAttempt(businessId: string, principalId: string): Promise<void> {
    for (const bucket of this.buckets(principalId)) {
      await this.db.query('update rate_limit set failures = greatest(failures - 1, 0) where business_id = ? and bucket = ?', [
        businessId,
        bucket.key,
      ]);
    }
  }

  private buckets(principalId: string): Bucket[] {
    return [
      { key: `principal:${principalId}`, max: failuresPerPrincipalMax },
      { key: 'business', max: failuresPerBusinessMax },
    ];
  }
}
