import type { BenchConfig } from './config';
import type { ScenarioResult } from './e2e';
import type { KafkaFloor, KafkaLatencyFloor, PgFloor } from './floors';
import type { GatewayResult, HttpRun } from './gateway';
import type { ReportsResult } from './reports';
import { repoRoot, type MachineInfo } from './infra';
import { formatMs, formatNumber, formatPercent } from './stats';

export interface ScalePoint {
  workers: number;
  eventsPerSec: number;
  repliesPerSec: number;
  workerCpuMsPerCommand: number;
  postgresCpuMsPerCommand: number;
  machineBusyCores: number;
  source: string;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  quick: boolean;
  config: Omit<BenchConfig, 'sections'> & { sections: string[] };
  machine: MachineInfo;
  loadAverageAtEnd: number[];
  notes: string[];
  floors: { kafka: KafkaFloor | null; kafkaLatency: KafkaLatencyFloor | null; pg: PgFloor | null };
  /** holdCapture: balance.hold then balance.capture of it, over the spread wallets (ScenarioResult.pairs). */
  e2e: { spread: ScenarioResult | null; hot: ScenarioResult | null; holdCapture: ScenarioResult | null };
  scale: { points: ScalePoint[]; scenarios: ScenarioResult[] };
  gateway: GatewayResult | null;
  reports: ReportsResult | null;
  targets: TargetCheck[];
  errors: { section: string; message: string }[];
}

const rate = (value: number | null | undefined) => `${formatNumber(value)}/s`;

function renderTable(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [`\n${title}`, line(header), rule, ...rows.map(line)].join('\n');
}

/** The best batched PostgreSQL floor over spread wallets: the ceiling group commit could reach. */
export function batchedFloor(pg: PgFloor | null): number | null {
  const batched = pg?.variants.filter((variant) => variant.batchSize > 1 && !variant.name.startsWith('hot')) ?? [];
  return batched.length === 0 ? null : Math.max(...batched.map((variant) => variant.changesPerSec));
}

function scenarioRows(result: ScenarioResult): string[][] {
  const rows: string[][] = [];
  const s = result.saturated;
  const name = `${result.label} (${formatNumber(result.wallets)} wallet${result.wallets === 1 ? '' : 's'}, ${result.workers} worker${result.workers === 1 ? '' : 's'})`;
  rows.push([
    `${name}, saturated`,
    formatNumber(s.commands),
    rate(s.events.sustainedPerSec),
    rate(s.replies.sustainedPerSec),
    `${formatMs(s.events.latency.p50Ms)} / ${formatMs(s.events.latency.p99Ms)}`,
    `${formatMs(s.replies.latency.p50Ms)} / ${formatMs(s.replies.latency.p99Ms)}`,
  ]);
  if (result.paced) {
    const p = result.paced;
    rows.push([
      `${name}, paced at ${formatNumber(p.pacedRate)}/s`,
      formatNumber(p.commands),
      rate(p.events.overallPerSec),
      rate(p.replies.overallPerSec),
      `${formatMs(p.events.latency.p50Ms)} / ${formatMs(p.events.latency.p99Ms)}`,
      `${formatMs(p.replies.latency.p50Ms)} / ${formatMs(p.replies.latency.p99Ms)}`,
    ]);
  }
  return rows;
}

/** A hold → capture run in the pay figures' table: pairs, pairs/s and the hold's send to the capture's event / reply. */
function pairRows(result: ScenarioResult): string[][] {
  const pairs = result.pairs;
  if (!pairs) return [];
  const name = `hold → capture (${formatNumber(result.wallets)} wallets, ${result.workers} worker${result.workers === 1 ? '' : 's'})`;
  // As for the pay rows: the saturated row's rates over the middle 80% of completions, the paced row's over the whole run.
  const row = (label: string, run: NonNullable<typeof pairs.paced>, overall: boolean) => [
    label,
    `${formatNumber(run.pairs)} pairs`,
    `${formatNumber(overall ? run.overallEventsPerSec : run.eventsPerSec)} pairs/s`,
    `${formatNumber(overall ? run.overallRepliesPerSec : run.repliesPerSec)} pairs/s`,
    `${formatMs(run.eventLatency.p50Ms)} / ${formatMs(run.eventLatency.p99Ms)}`,
    `${formatMs(run.replyLatency.p50Ms)} / ${formatMs(run.replyLatency.p99Ms)}`,
  ];
  const rows = [row(`${name}, saturated`, pairs.saturated, false)];
  // The paced rate is in commands (a hold and a capture each): half of it is the pairs' rate.
  if (pairs.paced && result.paced) rows.push(row(`${name}, paced at ${formatNumber((result.paced.pacedRate ?? 0) / 2)} pairs/s`, pairs.paced, true));
  return rows;
}

function cpuRows(results: ScenarioResult[]): string[][] {
  return results.map((result) => {
    const { cpu, db } = result.saturated;
    return [
      `${result.label} ×${result.workers}`,
      `${cpu.workerMs.toFixed(2)}`,
      `${cpu.postgresMs.toFixed(2)}`,
      `${cpu.kafkaMs.toFixed(2)}`,
      `${cpu.benchMs.toFixed(2)}`,
      `${cpu.otherMs.toFixed(2)}`,
      `${cpu.machineBusyCores.toFixed(2)}`,
      `${db.transactionsPerCommand.toFixed(2)}`,
      `${db.indexScansPerCommand.toFixed(1)}`,
      `${(db.rowsInsertedPerCommand + db.rowsUpdatedPerCommand + db.rowsDeletedPerCommand).toFixed(1)}`,
    ];
  });
}

function httpRows(runs: HttpRun[]): string[][] {
  return runs.map((run) => [
    run.name,
    rate(run.reqPerSec),
    formatMs(run.latencyP50Ms),
    formatMs(run.latencyP99Ms),
    formatNumber(run.non2xx + run.errors + run.timeouts),
    run.gatewayCpuMsPerRequest.toFixed(2),
    run.postgresCpuMsPerRequest.toFixed(2),
  ]);
}

const latencyTargetMs = 50;

function pacedLatencyRow(scenario: ScenarioResult): string[] {
  const paced = scenario.paced;
  if (!paced) return [scenario.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
  const seconds = paced.secondsP99Ms.filter(Number.isFinite);
  const sorted = [...seconds].sort((a, b) => a - b);
  // Both series are bucketed from the run's first due time, so the worst second's index is the probe's too.
  const worst = paced.secondsP99Ms.indexOf(sorted[sorted.length - 1]);
  const probe = paced.commitProbe;
  return [
    `${scenario.label} at ${formatNumber(paced.pacedRate)}/s`,
    `${paced.cpu.machineBusyCores.toFixed(2)}`,
    `${paced.cpu.workerMs.toFixed(2)} / ${paced.cpu.postgresMs.toFixed(2)}`,
    `${formatMs(sorted[Math.floor(sorted.length / 2)])} / ${formatMs(sorted[sorted.length - 1])}`,
    `${seconds.filter((value) => value > latencyTargetMs).length} of ${seconds.length}`,
    `${formatMs(probe.latency.p50Ms)} / ${formatMs(probe.latency.p99Ms)} / ${formatMs(probe.latency.maxMs)}`,
    formatMs(probe.secondsMaxMs[worst]),
  ];
}

export function renderReport(results: BenchResults): string {
  const parts: string[] = [];
  const m = results.machine;
  parts.push(
    `storecredit bench — ${results.startedAt}${results.quick ? ' — QUICK MODE (smoke sizes, not for comparison)' : ''}`,
    `machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB; ${m.node}; ${m.postgres}; ${m.kafka}`,
    `commit ${m.gitCommit}${m.gitDirty ? ' (work tree has uncommitted changes)' : ''}; worker+ledger sources ${m.ledgerSourceHash}${m.ledgerSourceChanges.length > 0 ? ` (uncommitted: ${m.ledgerSourceChanges.join(', ')})` : ''}`,
    ...(m.workerRoot !== repoRoot ? [`workers ran from ${m.workerRoot} (sources ${m.workerSourceHash}), not from this work tree`] : []),
    `load average ${m.loadAverageAtStart.join(' ')} at start, ${results.loadAverageAtEnd.join(' ')} at end; took ${formatNumber(results.durationSeconds)} s`,
    ...results.notes.map((note) => `note: ${note}`),
  );

  const { kafka, pg } = results.floors;
  const spread = results.e2e.spread;
  const ours = spread?.saturated.events.sustainedPerSec ?? null;
  if (kafka || pg) {
    const rows: string[][] = [];
    if (kafka) {
      rows.push([`Kafka produce only (${formatNumber(kafka.messages)} × ${kafka.averageBytes} B, ${kafka.partitions} partitions, acks=all)`, rate(kafka.producePerSec), '']);
      rows.push(['Kafka produce + consume (kafkajs, no processing)', rate(kafka.produceConsumePerSec), ours === null ? '' : formatPercent(ours / kafka.produceConsumePerSec)]);
    }
    for (const variant of pg?.variants ?? []) {
      rows.push([`PostgreSQL ${variant.name} (${variant.description})`, rate(variant.changesPerSec), ours === null || variant.name.startsWith('hot') ? '' : formatPercent(ours / variant.changesPerSec)]);
    }
    parts.push(renderTable('Raw floors (same run, same machine)', ['floor', 'rate', 'e2e spread as share'], rows));
    if (pg) parts.push(`  one PostgreSQL change = ${pg.writesPerChange.join(' + ')}`);
  }

  const scenarios = [results.e2e.spread, results.e2e.hot].filter((s): s is ScenarioResult => s !== null);
  const holdCapture = results.e2e.holdCapture;
  if (scenarios.length > 0 || holdCapture) {
    const kind = scenarios[0]?.commandKind ?? results.config.commandKind;
    parts.push(
      renderTable(
        `End to end: ${kind === 'pay' ? 'balance.pay on the checkout topic' : 'balance.add on the gateway topic'}${holdCapture ? ', and balance.hold → balance.capture pairs' : ''} → worker process → PostgreSQL → outbox relay → event topic`,
        ['scenario', 'commands', 'events', 'replies', 'produce→event p50 / p99', 'produce→reply p50 / p99'],
        [...scenarios.flatMap(scenarioRows), ...(holdCapture ? pairRows(holdCapture) : [])],
      ),
      `  saturated: ${results.config.spreadCommands === null ? `the producer keeps ~${results.config.backlogSeconds} s of work (≥ ${formatNumber(results.config.backlogMin)} commands) queued for ${results.config.saturateSeconds} s` : 'every command produced at once'}; rates are over the middle 80% of completions; its latencies are mostly time spent queued.`,
      "  paced: half the saturated event rate; latency runs from each command's scheduled send time (a late send counts).",
      ...(holdCapture
        ? [
            '  hold → capture: balance.hold of 1.00 for a new sale, then at once (no wait for its reply: holdIdOf) balance.capture of the whole hold, same wallet key;',
            "  a pair is done when the capture's event (used_for_payment) / reply is back; latency runs from the hold's send; paced at half the saturated command rate.",
          ]
        : []),
    );
    const paced = scenarios.filter((scenario) => scenario.paced !== null);
    if (paced.length > 0) {
      parts.push(
        renderTable(
          'Latency at half the max rate, second by second, beside the floor of a durable commit (bench/commit-probe.ts)',
          ['paced run', 'busy cores', 'worker / PG CPU ms/cmd', 'our p99: median second / worst', `seconds over ${latencyTargetMs} ms`, 'one-row commit p50 / p99 / max', 'commit max in our worst second'],
          paced.map(pacedLatencyRow),
        ),
        '  the probe commits one row every 10 ms on a connection of its own, through the same WAL, disk and cores, in the same window: a second where even it',
        '  waited far longer than usual is a stall of the machine (disk flush, checkpoint, CPU), not of the worker.',
      );
    }
    const kafkaLatency = results.floors.kafkaLatency;
    if (kafkaLatency) {
      parts.push(
        `  Kafka alone at ${formatNumber(kafkaLatency.perSecond)}/s (the same producer and messages, a consumer doing nothing; one hop, where ours takes two: command and event): p50 ${formatMs(kafkaLatency.latency.p50Ms)}, p99 ${formatMs(kafkaLatency.latency.p99Ms)}, max ${formatMs(kafkaLatency.latency.maxMs)}`,
      );
      const { cpu, produceRequests } = kafkaLatency;
      const perRequestMs = (seconds: number) => formatMs((seconds * 1000) / Math.max(1, produceRequests));
      parts.push(
        `  and what moving them alone costs at that rate: ${(cpu.machineBusySeconds / cpu.wallSeconds).toFixed(2)} busy cores (broker ${(cpu.kafka / cpu.wallSeconds).toFixed(2)}, bench producer + consumer ${(cpu.bench / cpu.wallSeconds).toFixed(2)}); ${formatNumber(produceRequests)} produce requests, ${perRequestMs(cpu.kafka)} of broker and ${perRequestMs(cpu.bench)} of client CPU per request (with the consumer's fetches)`,
      );
    }
    for (const scenario of holdCapture ? [...scenarios, holdCapture] : scenarios) {
      const c = scenario.consistency;
      const holds = c.holdsNotCaptured === undefined ? '' : `, ${c.holdsNotCaptured} holds not captured`;
      parts.push(
        `  ${scenario.label}: statuses ${JSON.stringify(scenario.saturated.statuses)}; dead letters ${scenario.saturated.deadLetters}; ledger check ${c.ok ? 'ok' : 'FAILED'} (${formatNumber(c.entriesFound)}/${formatNumber(c.entriesExpected)} entries, ${c.walletsNotSumOfEntries} wallets off${holds}); worker start ${scenario.workerStartSeconds} s; worker log: ${scenario.workerLogProblems.warnings} warnings, ${scenario.workerLogProblems.errors} errors`,
        ...scenario.workerLogProblems.samples.map((line) => `    ${line}`),
      );
    }
  }

  const scale = results.scale.points;
  if (scale.length > 0) {
    const base = scale.find((point) => point.workers === 1)?.eventsPerSec ?? scale[0].eventsPerSec;
    parts.push(
      renderTable(
        `Scale curve (spread wallets, ${results.config.partitions} partitions)`,
        ['worker processes', 'events', 'replies', 'speed-up', 'worker CPU ms/cmd', 'PG CPU ms/cmd', 'machine busy cores'],
        scale.map((point) => [
          `${point.workers}${point.source === 'spread' ? ' (the spread run)' : ''}`,
          rate(point.eventsPerSec),
          rate(point.repliesPerSec),
          `${(point.eventsPerSec / base).toFixed(2)}×`,
          point.workerCpuMsPerCommand.toFixed(2),
          point.postgresCpuMsPerCommand.toFixed(2),
          `${point.machineBusyCores.toFixed(2)} of ${m.cpuCount}`,
        ]),
      ),
    );
  }

  for (const scenario of results.scale.scenarios) {
    const problems = scenario.workerLogProblems;
    parts.push(
      `  ${scenario.label}: statuses ${JSON.stringify(scenario.saturated.statuses)}; ledger check ${scenario.consistency.ok ? 'ok' : 'FAILED'}; worker logs: ${problems.warnings} warnings, ${problems.errors} errors`,
      ...problems.samples.map((line) => `    ${line}`),
    );
  }

  const cpuScenarios = [...scenarios, ...(holdCapture ? [holdCapture] : []), ...results.scale.scenarios];
  if (cpuScenarios.length > 0) {
    parts.push(
      renderTable(
        'Where the time went (saturated windows; CPU ms per command; PostgreSQL statistics per command)',
        ['run', 'worker', 'postgres', 'kafka', 'bench', 'other', 'busy cores', 'txns', 'index scans', 'rows written'],
        cpuRows(cpuScenarios),
      ),
      '  "other" is CPU the machine spent outside the bench, its workers, PostgreSQL and the broker: other people\'s work on the shared machine.',
    );
  }
  const profile = results.e2e.spread?.profile;
  if (profile) {
    parts.push(
      renderTable(
        `Worker CPU profile, spread saturated window (${formatNumber(profile.sampledMs)} ms sampled; share of busy samples)`,
        ['area', 'share'],
        profile.busyShareByArea.map((area) => [area.area, formatPercent(area.share)]),
      ),
      renderTable('Top functions by self time', ['function', 'share'], profile.topSelf.map((frame) => [frame.frame, formatPercent(frame.share)])),
    );
  }

  if (results.gateway) {
    const g = results.gateway;
    parts.push(
      renderTable(
        `Gateway over HTTP (autocannon; seeded ${formatNumber(g.historyEntries)} + ${formatNumber(g.historySmallEntries)} entries in ${g.seedSeconds} s)`,
        ['route', 'req/s', 'p50', 'p99', 'errors', 'gw CPU ms/req', 'PG CPU ms/req'],
        httpRows(g.runs),
      ),
    );
  }

  if (results.reports) {
    const r = results.reports;
    parts.push(
      renderTable(
        `Credit-lot reports through the gateway (a business of ${formatNumber(r.businessEntries)} entries over ${formatNumber(r.reportWallets)} wallets, ${formatNumber(r.lots)} lots of which ${formatNumber(r.openLots)} hold credit now; seeded with the export's wallet in ${r.seedSeconds} s; report p50 ${r.reportOverFloor}× the count(*) floor's)`,
        ['what', 'samples', 'p50', 'p95', 'max'],
        [...r.floors, ...r.report].map((run) => [run.name, String(run.samples), formatMs(run.p50Ms), formatMs(run.p95Ms), formatMs(run.maxMs)]),
      ),
      renderTable(
        'CSV export of one wallet, streamed (gateway RSS from /proc)',
        ['gateway', 'rows', 'MiB', 'seconds', 'rows/s', 'RSS before', 'peak, 1st half of rows', 'peak, 2nd half', 'growth', 'RSS high-water'],
        [
          { label: 'gateway as started', run: r.export },
          { label: `old space ≤ ${r.exportCapped.heapCapMiB} MiB`, run: r.exportCapped },
        ].map(({ label, run }) => [
          label,
          formatNumber(run.rows),
          String(Math.round(run.bytes / 1024 / 1024)),
          String(run.seconds),
          formatNumber(run.rowsPerSec),
          `${run.rssBeforeMiB} MiB`,
          `${run.rssPeakFirstHalfMiB} MiB`,
          `${run.rssPeakSecondHalfMiB} MiB`,
          `${run.rssGrowthMiB} MiB`,
          `${run.rssHighWaterMiB} MiB`,
        ]),
      ),
    );
  }

  if (results.targets.length > 0) {
    parts.push(
      renderTable(
        'Targets (reported, not asserted)',
        ['target', 'wanted', 'measured', ''],
        results.targets.map((t) => [t.name, t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED']),
      ),
    );
  }
  if (results.errors.length > 0) {
    parts.push('', 'ERRORS:', ...results.errors.map((error) => `  ${error.section}: ${error.message}`));
  }
  return `${parts.join('\n')}\n`;
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const spread = results.e2e.spread;
  const hot = results.e2e.hot;
  const atLeast = (name: string, value: number | null | undefined, wanted: number, unit: string): TargetCheck => ({
    name,
    target: `≥ ${formatNumber(wanted)}${unit}`,
    measured: value === null || value === undefined ? 'n/a' : `${formatNumber(value)}${unit}`,
    met: value === null || value === undefined || !Number.isFinite(value) ? null : value >= wanted,
  });
  const atMostMs = (name: string, value: number | null | undefined, wanted: number): TargetCheck => ({
    name,
    target: `≤ ${wanted} ms`,
    measured: formatMs(value),
    met: value === null || value === undefined || !Number.isFinite(value) ? null : value <= wanted,
  });
  checks.push(atLeast('e2e throughput, spread wallets', spread?.saturated.events.sustainedPerSec, 5_000, ' cmd/s'));
  checks.push(atLeast('e2e throughput, one hot wallet', hot?.saturated.events.sustainedPerSec, 2_500, ' cmd/s'));
  checks.push(atMostMs('p99 produce→event at half max rate, spread', spread?.paced?.events.latency.p99Ms, latencyTargetMs));
  checks.push(atMostMs('p99 produce→event at half max rate, hot', hot?.paced?.events.latency.p99Ms, latencyTargetMs));
  const idle = spread?.idle ?? null;
  checks.push({
    name: `idle worker CPU (${idle ? formatNumber(idle.seconds) : 'n'} s without commands)`,
    target: '< 1% of a core',
    measured: idle === null ? 'n/a' : `${formatPercent(idle.workerCoreShare)} of a core (PostgreSQL ${formatPercent(idle.postgresCoreShare)})`,
    met: idle === null ? null : idle.workerCoreShare < 0.01,
  });
  const floor = batchedFloor(results.floors.pg);
  const share = floor === null || !spread ? null : spread.saturated.events.sustainedPerSec / floor;
  checks.push({
    name: 'e2e spread / PostgreSQL batched floor',
    target: '≥ 50%',
    measured: share === null ? 'n/a' : `${formatPercent(share)} of ${formatNumber(floor)}/s`,
    met: share === null ? null : share >= 0.5,
  });
  const runs = results.gateway?.runs ?? [];
  const big = results.gateway ? formatNumber(results.gateway.historyEntries) : '';
  const bigFirst = runs.find((run) => run.name.startsWith(`history page 1, ${big} entries`) && run.connections > 1);
  const bigFirstQuiet = runs.find((run) => run.name.startsWith(`history page 1, ${big} entries`) && run.connections === 1);
  checks.push(atMostMs(`history page p99 at ${big || 'n'} entries, ${bigFirst?.connections ?? 50} connections`, bigFirst?.latencyP99Ms, 10));
  checks.push(atMostMs(`history page p99 at ${big || 'n'} entries, 1 connection`, bigFirstQuiet?.latencyP99Ms, 10));
  const reports = results.reports;
  if (reports) {
    checks.push(atMostMs(`liability report p95 at ${formatNumber(reports.businessEntries)} entries, as of now`, reports.report[0]?.p95Ms, 1000));
    checks.push(atMostMs(`liability report p95 at ${formatNumber(reports.businessEntries)} entries, 30 days back`, reports.report[1]?.p95Ms, 1000));
    checks.push(atMostMs(`liability report p95 at ${formatNumber(reports.businessEntries)} entries, a year back`, reports.report[2]?.p95Ms, 1000));
  }
  return checks;
}
