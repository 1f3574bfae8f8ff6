import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';

/** Each readiness check gives up after this long: a readiness probe must answer before the orchestrator's own timeout. */
export const readinessCheckTimeoutMs = 2_000;

export interface HealthAnswer {
  status: 200 | 503;
  body: HealthCheckResult;
}

/**
 * Runs terminus's checks and gives the HTTP answer: 200 when all are up, 503 with the result (which check is down
 * and why) otherwise. terminus reports a failure by throwing a ServiceUnavailableException that carries the result.
 */
export async function healthAnswer(health: HealthCheckService, indicators: HealthIndicatorFunction[]): Promise<HealthAnswer> {
  try {
    return { status: 200, body: await health.check(indicators) };
  } catch (error) {
    if (error instanceof ServiceUnavailableException) return { status: 503, body: error.getResponse() as HealthCheckResult };
    throw error;
  }
}

/**
 * Whether a broker answers: a fresh admin client with no retries asks for the cluster's description. A fresh client
 * each time, because a long-lived one keeps kafkajs's own reconnection and retry state between probes.
 */
export async function describeKafkaCluster(kafka: Kafka, signal: AbortSignal): Promise<{ brokers: number }> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('no answer from Kafka')), { once: true }));
  try {
    await Promise.race([admin.connect(), aborted]);
    const cluster = await Promise.race([admin.describeCluster(), aborted]);
    return { brokers: cluster.brokers.length };
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}
