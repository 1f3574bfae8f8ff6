import { ApiError } from '../http/api-error';
import { FakeRedemptionThrottleRepository } from './redemption-throttle.fakes';
import type { RedemptionThrottleRepository } from './redemption-throttle.repository';
import { failuresPerAddressMax, failuresPerBusinessAlertMin, failuresPerPrincipalMax, RedemptionThrottle, throttleWindowMs } from './redemption-throttle';

const businessId = 'salon-1';

function throttle() {
  const counters = new FakeRedemptionThrottleRepository();
  return { counters, throttle: new RedemptionThrottle(counters as unknown as RedemptionThrottleRepository) };
}

async function refusal(work: Promise<unknown>): Promise<ApiError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('no refusal');
}

describe(RedemptionThrottle.name, () => {
  it('refuses a staff member’s attempt past their limit with 429 and Retry-After, and gives the address its count back', async () => {
    const { counters, throttle: t } = throttle();
    const attempter = { principalId: 'staff:dana', address: '10.0.0.7' };
    for (let i = 0; i < failuresPerPrincipalMax; i++) await t.reserveAttempt(businessId, attempter);
    const refused = await refusal(t.reserveAttempt(businessId, attempter));
    expect(refused.code).toBe('too_many_requests');
    expect(refused.details).toMatchObject({ scope: 'staff' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(throttleWindowMs / 1000);
    expect(counters.failures(businessId, 'address:10.0.0.7')).toBe(failuresPerPrincipalMax);
  });

  it('stops many keys at one address, and not the keys elsewhere', async () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < failuresPerAddressMax; i++) await t.reserveAttempt(businessId, { principalId: `service:api-key:${i}`, address: '10.0.0.9' });
    const refused = await refusal(t.reserveAttempt(businessId, { principalId: 'service:api-key:new', address: '10.0.0.9' }));
    expect(refused.details).toMatchObject({ scope: 'address' });
    await expect(t.reserveAttempt(businessId, { principalId: 'service:api-key:new', address: '10.0.0.10' })).resolves.toBeUndefined();
  });

  it('forgives an attempt that was no failed guess, so retries of a real code never lock anyone out', async () => {
    const { counters, throttle: t } = throttle();
    const attempter = { principalId: 'staff:dana', address: '10.0.0.7' };
    for (let i = 0; i < 3 * failuresPerPrincipalMax; i++) {
      await t.reserveAttempt(businessId, attempter);
      await t.forgiveAttempt(businessId, attempter);
    }
    expect(counters.failures(businessId, 'principal:staff:dana')).toBe(0);
  });

  it('counts the business’s failed guesses for its owner, never locking it', async () => {
    const { throttle: t } = throttle();
    expect(await t.failedRedemptions(businessId)).toEqual({ failures: 0, windowStartedAt: null, windowMs: throttleWindowMs, underAttack: false });
    for (let i = 0; i < failuresPerBusinessAlertMin - 1; i++) await t.recordFailedGuess(businessId);
    expect(await t.failedRedemptions(businessId)).toMatchObject({ failures: failuresPerBusinessAlertMin - 1, underAttack: false });
  });
});
