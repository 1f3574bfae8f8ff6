import { addScrapeProbe, commandsTotal, OutcomeTally, outboxRows, scrapeMetrics, scrapeProbeFailuresTotal } from './metrics';

async function valueOf(metric: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> }, labels: object): Promise<number> {
  const { values } = await metric.get();
  return values.find((value) => JSON.stringify(value.labels) === JSON.stringify(labels))?.value ?? 0;
}

describe(OutcomeTally.name, () => {
  it('adds each (type, outcome, code) once per flush, by how many commands had it', async () => {
    const tally = new OutcomeTally();
    for (let i = 0; i < 3; i++) tally.add('balance.add', 'applied', 'ok');
    tally.add('balance.deduct', 'rejected', 'insufficient_balance');
    tally.add('balance.add', 'replayed', 'ok');
    tally.flush();
    tally.flush();
    expect(await valueOf(commandsTotal, { type: 'balance.add', outcome: 'applied', code: 'ok' })).toBe(3);
    expect(await valueOf(commandsTotal, { type: 'balance.deduct', outcome: 'rejected', code: 'insufficient_balance' })).toBe(1);
    expect(await valueOf(commandsTotal, { type: 'balance.add', outcome: 'replayed', code: 'ok' })).toBe(1);
  });
});

describe(scrapeMetrics.name, () => {
  it('runs the probes before it writes the text, and counts a probe that fails without failing the scrape', async () => {
    const removeGood = addScrapeProbe('spec-good', () => outboxRows.set(7));
    const removeBad = addScrapeProbe('spec-bad', async () => {
      throw new Error('database gone');
    });
    try {
      const { text } = await scrapeMetrics();
      expect(text).toContain('storecredit_outbox_rows 7');
      expect(await valueOf(scrapeProbeFailuresTotal, { probe: 'spec-bad' })).toBe(1);
    } finally {
      removeGood();
      removeBad();
    }
    outboxRows.set(0);
    expect((await scrapeMetrics()).text).toContain('storecredit_outbox_rows 0');
  });
});
