import { metricsScrapeAllowed, metricsTokenFromEnv } from './metrics';

describe('the METRICS_TOKEN a scrape must bring', () => {
  const token = 'a-scrape-token-of-32-characters!';

  it('leaves /metrics open when no token is set, and asks for exactly the token when one is', () => {
    expect(metricsScrapeAllowed(undefined, null)).toBe(true);
    expect(metricsScrapeAllowed(undefined, token)).toBe(false);
    expect(metricsScrapeAllowed(`Bearer ${token}`, token)).toBe(true);
    expect(metricsScrapeAllowed(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsScrapeAllowed(`Basic ${token}`, token)).toBe(false);
    expect(metricsScrapeAllowed('Bearer ', token)).toBe(false);
  });

  it('reads the token from the environment and refuses one short enough to guess', () => {
    expect(metricsTokenFromEnv({})).toBeNull();
    expect(metricsTokenFromEnv({ METRICS_TOKEN: '' })).toBeNull();
    expect(metricsTokenFromEnv({ METRICS_TOKEN: token })).toBe(token);
    expect(() => metricsTokenFromEnv({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN must be at least 16 characters');
  });
});
