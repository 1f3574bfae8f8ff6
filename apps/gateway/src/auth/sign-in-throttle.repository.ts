import { Injectable } from '@nestjs/common';
import { Database } from '../database';

/** A bucket's failures in its current window, as counted. */
export interface SignInWindow {
  bucket: string;
  failures: number;
  window_started_at: Date;
}

/** The failed sign-in counters (table sign_in_throttle), shared by every gateway replica. */
@Injectable()
export class SignInThrottleRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds one failure to each bucket in one statement, starting a new window at `now` for a bucket whose window
   * started at or before `windowStart`.
   */
  count(buckets: readonly string[], now: Date, windowStart: Date): Promise<SignInWindow[]> {
    return this.db.query<SignInWindow>(
      `insert into sign_in_throttle (bucket, window_started_at, failures)
       select bucket, ?::timestamptz, 1 from json_array_elements_text(?::json) as bucket
       on conflict (bucket) do update set
         failures = case when sign_in_throttle.window_started_at <= ?::timestamptz then 1 else sign_in_throttle.failures + 1 end,
         window_started_at = case when sign_in_throttle.window_started_at <= ?::timestamptz then excluded.window_started_at
                                  else sign_in_throttle.window_started_at end
       returning bucket, failures, window_started_at`,
      [now, JSON.stringify(buckets), windowStart, windowStart],
    );
  }

  async forget(bucket: string): Promise<void> {
    await this.db.query('delete from sign_in_throttle where bucket = ?', [bucket]);
  }

  async giveBack(bucket: string): Promise<void> {
    await this.db.query('update sign_in_throttle set failures = greatest(failures - 1, 0) where bucket = ?', [bucket]);
  }
}
