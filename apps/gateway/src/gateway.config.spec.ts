import { sessionTouchIntervalMs } from './auth/sessions';
import { gatewayConfigFromEnv } from './gateway.config';

describe(gatewayConfigFromEnv.name, () => {
  it('refuses an idle time a session in use could outlive only by luck', () => {
    expect(() => gatewayConfigFromEnv({ SESSION_IDLE_MS: '6000' })).toThrow(/SESSION_IDLE_MS/);
    expect(() => gatewayConfigFromEnv({ SESSION_IDLE_MS: String(sessionTouchIntervalMs) })).toThrow(/SESSION_IDLE_MS/);
  });

  it('takes the default idle time and any at least twice the touch interval', () => {
    expect(gatewayConfigFromEnv({}).sessionIdleMs).toBeGreaterThanOrEqual(2 * sessionTouchIntervalMs);
    expect(gatewayConfigFromEnv({ SESSION_IDLE_MS: String(2 * sessionTouchIntervalMs) }).sessionIdleMs).toBe(2 * sessionTouchIntervalMs);
  });
});
