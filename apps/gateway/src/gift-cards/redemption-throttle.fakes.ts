import type { RedemptionThrottleRepository, ThrottleWindow } from './redemption-throttle.repository';

/**
 * The rate_limit counters in memory, for unit specs (never built into the app). Windows never end here: when a
 * window starts and ends is PostgreSQL's clock, tested by the suites.
 */
export class FakeRedemptionThrottleRepository implements Pick<RedemptionThrottleRepository, 'count' | 'giveBack' | 'currentWindow'> {
  readonly windows = new Map<string, ThrottleWindow>();
  readonly startedAt = new Date();

  async count(businessId: string, bucket: string, cap: number): Promise<ThrottleWindow> {
    const window = this.windows.get(`${businessId}/${bucket}`) ?? { failures: 0, window_started_at: this.startedAt };
    const counted = { ...window, failures: Math.min(window.failures + 1, cap) };
    this.windows.set(`${businessId}/${bucket}`, counted);
    return counted;
  }

  async giveBack(businessId: string, bucket: string): Promise<void> {
    const window = this.windows.get(`${businessId}/${bucket}`);
    if (window) this.windows.set(`${businessId}/${bucket}`, { ...window, failures: Math.max(window.failures - 1, 0) });
  }

  async currentWindow(businessId: string, bucket: string): Promise<ThrottleWindow | null> {
    return this.windows.get(`${businessId}/${bucket}`) ?? null;
  }

  failures(businessId: string, bucket: string): number {
    return this.windows.get(`${businessId}/${bucket}`)?.failures ?? 0;
  }
}
