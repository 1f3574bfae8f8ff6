export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values: no interpolation, so a reported p99 is a latency that happened. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencySummary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/**
 * Completions per second over the middle 80% of the completions (10th to 90th), which leaves out the
 * ramp-up while the first fetches arrive and the tail of the last partition draining alone.
 */
export function sustainedRate(completionTimesMs: readonly number[]): number {
  const sorted = [...completionTimesMs].sort((a, b) => a - b);
  if (sorted.length < 10) return Number.NaN;
  const from = sorted[Math.floor(sorted.length * 0.1)];
  const to = sorted[Math.floor(sorted.length * 0.9) - 1];
  const count = Math.floor(sorted.length * 0.9) - Math.floor(sorted.length * 0.1) - 1;
  return to > from ? (count * 1000) / (to - from) : Number.NaN;
}

/**
 * Values grouped by the second (from `origin`, in ms) they belong to; a second with none is an empty list, so the
 * lists of two series bucketed from the same origin line up index by index.
 */
export function bySecond<T>(items: readonly T[], origin: number, at: (item: T) => number, value: (item: T) => number): number[][] {
  const seconds: number[][] = [];
  for (const item of items) {
    const second = Math.floor((at(item) - origin) / 1000);
    if (second >= 0) (seconds[second] ??= []).push(value(item));
  }
  return Array.from(seconds, (values) => values ?? []);
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value).toLocaleString('en-US')} ms`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
}
