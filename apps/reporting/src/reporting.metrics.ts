import { Counter, Gauge, Registry } from 'prom-client';
import type { ReadModelStore } from './read-model/read-model.store';

export type EventOutcome = 'applied' | 'duplicate' | 'parked' | 'behind' | 'malformed' | 'ignored';
export type Anomaly = 'sequence_behind' | 'balance_mismatch';

/**
 * The consumer's metrics, on a registry of its own (not prom-client's global one), so that two consumers in one
 * process (a test beside the bank test) count apart.
 */
export class ReportingMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'storecredit_reporting_events_total',
    help: 'Events read from the event topic, by what became of them',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sequenceGaps = new Counter({
    name: 'storecredit_reporting_sequence_gaps_total',
    help: "Gaps noticed in a wallet's sequence: an event arrived while one before it was missing",
    registers: [this.registry],
  });
  readonly anomalies = new Counter({
    name: 'storecredit_reporting_anomalies_total',
    help: 'Events that disagree with the read model: a sequence applied twice under two event ids, a balance that differs from balanceAfter',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(store: ReadModelStore) {
    new Gauge({
      name: 'storecredit_reporting_wallets_behind_gap',
      help: 'Wallets with events waiting for a missing one before them',
      registers: [this.registry],
      // Read from the database when scraped, so it counts what every replica parked and survives a restart.
      async collect() {
        this.set(await store.walletsBehindGap());
      },
    });
  }

  countEvent(outcome: EventOutcome): void {
    this.events.inc({ outcome });
  }

  countAnomaly(kind: Anomaly): void {
    this.anomalies.inc({ kind });
  }
}
