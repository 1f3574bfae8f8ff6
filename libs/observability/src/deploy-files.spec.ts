import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { metricsRegistry } from './metrics';

const deployDir = resolve(__dirname, '../../../deploy');
/** What a histogram's series add to its name. */
const seriesSuffix = /_(bucket|count|sum)$/;

/** The metric names an expression uses; a histogram's series are named after the histogram. */
function metricNamesIn(text: string): string[] {
  const names = new Set(text.match(/\bstorecredit_[a-z0-9_]+/g) ?? []);
  return [...names].map((name) => (metricsRegistry.getSingleMetric(name) === undefined ? name.replace(seriesSuffix, '') : name));
}

function expressionsOfDashboard(): string[] {
  const dashboard = JSON.parse(readFileSync(resolve(deployDir, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
}

describe('deploy/ (Grafana dashboard, Prometheus alerts)', () => {
  it('uses only metrics the registry defines in the dashboard', () => {
    const names = metricNamesIn(expressionsOfDashboard().join('\n'));
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names.filter((name) => metricsRegistry.getSingleMetric(name) === undefined)).toEqual([]);
  });

  it('uses only metrics the registry defines in the alert rules, and has the four alerts', () => {
    const rules = readFileSync(resolve(deployDir, 'prometheus-alerts.yml'), 'utf8');
    const expressions = rules.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
    const names = metricNamesIn(expressions);
    expect(names.filter((name) => metricsRegistry.getSingleMetric(name) === undefined)).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining(['storecredit_consumer_lag_messages', 'storecredit_outbox_oldest_age_seconds', 'storecredit_dead_letters_total', 'storecredit_http_request_duration_seconds']),
    );
    expect(rules).toMatch(/storecredit_outbox_oldest_age_seconds\) > 30\b/);
  });

  it('finds a misspelt metric name (the check itself can fail)', () => {
    expect(metricNamesIn('rate(storecredit_comands_total[1m])').filter((name) => metricsRegistry.getSingleMetric(name) === undefined)).toEqual(['storecredit_comands_total']);
  });
});
