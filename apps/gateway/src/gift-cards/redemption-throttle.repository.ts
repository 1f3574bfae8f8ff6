import { Injectable } from '@nestjs/common';
import { Database } from '../database';

/** A bucket's failures in its current window (PostgreSQL's clock starts and ends windows). */
export interface ThrottleWindow {
  failures: number;
  window_started_at: Date;
}

/** The failed-redemption counters (table rate_limit), shared by every gateway replica. */
@Injectable()
export class RedemptionThrottleRepository {
  constructor(private readonly db: Database) {}

  /** Adds one failure to a bucket (starting a new window when the last one ended), never past `cap`. */
  async count(businessId: string, bucket: string, cap: number, windowMs: number): Promise<ThrottleWindow> {
    const [row] = await this.db.query<ThrottleWindow>(
      `insert into rate_limit (business_id, bucket, window_started_at, failures) values (?, ?, now(), 1)
       on conflict (business_id, bucket) do update set
         failures = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then 1
                         else least(rate_limit.failures + 1, ?) end,
         window_started_at = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then now()
                                  else rate_limit.window_started_at end
       returning failures, window_started_at`,
      [businessId, bucket, windowMs / 1000, cap, windowMs / 1000],
    );
    return row;
  }

  /** Takes one failure back from a bucket. */
  async giveBack(businessId: string, bucket: string): Promise<void> {
    await this.db.query('update rate_limit set failures = greatest(failures - 1, 0) where business_id = ? and bucket = ?', [businessId, bucket]);
  }

  /** The bucket's window if one started within the last `windowMs`. */
  currentWindow(businessId: string, bucket: string, windowMs: number): Promise<ThrottleWindow | null> {
    return this.db.one<ThrottleWindow>(
      `select failures, window_started_at from rate_limit
       where business_id = ? and bucket = ? and window_started_at >= now() - make_interval(secs => ?)`,
      [businessId, bucket, windowMs / 1000],
    );
  }
}
