import { TestClock } from '@storecredit/testing';
import { ApiError } from '../http/api-error';
import { signInBuckets, signInFailuresPerAccountAndAddressMax, SignInThrottle, signInThrottleWindowMs } from './sign-in-throttle';
import type { SignInThrottleRepository, SignInWindow } from './sign-in-throttle.repository';

/** The sign_in_throttle table in memory, with the statement's own window rule: a window started at or before windowStart is over. */
class FakeSignInThrottleRepository implements Pick<SignInThrottleRepository, 'count' | 'forget' | 'giveBack'> {
  readonly windows = new Map<string, SignInWindow>();

  async count(buckets: readonly string[], now: Date, windowStart: Date): Promise<SignInWindow[]> {
    return buckets.map((bucket) => {
      const window = this.windows.get(bucket);
      const counted =
        window === undefined || window.window_started_at <= windowStart
          ? { bucket, failures: 1, window_started_at: now }
          : { ...window, failures: window.failures + 1 };
      this.windows.set(bucket, counted);
      return counted;
    });
  }

  async forget(bucket: string): Promise<void> {
    this.windows.delete(bucket);
  }

  async giveBack(bucket: string): Promise<void> {
    const window = this.windows.get(bucket);
    if (window) this.windows.set(bucket, { ...window, failures: Math.max(window.failures - 1, 0) });
  }
}

function throttle() {
  const counters = new FakeSignInThrottleRepository();
  const clock = new TestClock();
  return { counters, clock, throttle: new SignInThrottle(counters as unknown as SignInThrottleRepository, clock) };
}

async function refusal(work: Promise<unknown>): Promise<ApiError | null> {
  try {
    await work;
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

describe(SignInThrottle.name, () => {
  it('refuses an account from one address past its limit, saying when to retry, and not from another address', async () => {
    const { throttle: t, clock } = throttle();
    const fromHere = signInBuckets('Owner@Demo.Salon', '10.0.0.7');
    for (let i = 0; i < signInFailuresPerAccountAndAddressMax; i++) await t.reserveAttempt(fromHere);
    clock.advance(60_000);
    const refused = await refusal(t.reserveAttempt(fromHere));
    expect(refused?.code).toBe('too_many_requests');
    expect(refused?.headers['retry-after']).toBe(String(signInThrottleWindowMs / 1000 - 60));
    expect(await refusal(t.reserveAttempt(signInBuckets('owner@demo.salon', '10.0.0.8')))).toBeNull();
  });

  it('lets the account try again once its window is over', async () => {
    const { throttle: t, clock } = throttle();
    const buckets = signInBuckets('owner@demo.salon', '10.0.0.7');
    for (let i = 0; i <= signInFailuresPerAccountAndAddressMax; i++) await refusal(t.reserveAttempt(buckets));
    clock.advance(signInThrottleWindowMs);
    expect(await refusal(t.reserveAttempt(buckets))).toBeNull();
  });

  it('on success forgets the account’s failures from this address and gives the attempt back elsewhere', async () => {
    const { throttle: t, counters } = throttle();
    const fromElsewhere = signInBuckets('owner@demo.salon', '10.0.0.8');
    await t.reserveAttempt(fromElsewhere);
    const buckets = signInBuckets('owner@demo.salon', '10.0.0.7');
    await t.reserveAttempt(buckets);
    await t.reserveAttempt(buckets);
    await t.forgiveAttempt(buckets);
    const [accountFromHere, account, address] = buckets.map((bucket) => counters.windows.get(bucket.key)?.failures);
    expect([accountFromHere, account, address]).toEqual([undefined, 2, 1]);
  });
});
