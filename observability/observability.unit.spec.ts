import { readFileSync } from 'node:fs';
import { processorMetrics, throttledCounter, timerMetrics } from '@az-shop/common';
import { requestMetricsHook } from '@az-shop/common/http/request-metrics';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { groupingLabelsIn, isExposed, metricNamesIn, type RegisteredMetric } from './promql';

const here = (file: string) => new URL(file, import.meta.url);

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every metric the services register, read back from prom-client (the modules that define them). */
async function registeredMetrics(): Promise<RegisteredMetric[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  processorMetrics(registry);
  timerMetrics(registry);
  throttledCounter(registry);
  requestMetricsHook(registry);
  // What createServiceApp sets on every service's registry.
  registry.setDefaultLabels({ service: 'any' });
  return (await registry.getMetricsAsJSON()).map((metric) => ({
    name: metric.name,
    type: String(metric.type),
    labels: [
      'service',
      ...((registry.getSingleMetric(metric.name) as { labelNames?: string[] } | undefined)?.labelNames ?? []),
    ],
  }));
}

/** Labels the scrape adds to every series (Azure Monitor managed Prometheus, pod annotations). */
const SCRAPE_LABELS = ['namespace', 'pod', 'job', 'instance'];

function rules(): Rule[] {
  const file = parse(readFileSync(here('prometheus-rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(here('grafana-dashboard.json'), 'utf8')) as {
    panels: Panel[];
    templating: { list: { type: string; query?: string }[] };
  };
  const panels = (list: Panel[]): Panel[] => list.flatMap((panel) => [panel, ...panels(panel.panels ?? [])]);
  return [
    ...panels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.query ?? ''),
  ].filter((expression) => expression !== '');
}

describe('metricNamesIn', () => {
  it('given aggregations, ranges, matchers and offsets, then only the metric names remain', () => {
    expect(
      metricNamesIn(
        'max by (namespace, processor) (processor_parked_events{a="x y", b=~"$v"}) > max by (processor) (processor_parked_events offset 30m) and on(pod) rate(x_total[$__rate_interval]) > 1e3',
      ).sort(),
    ).toEqual(['processor_parked_events', 'x_total']);
  });

  it('given a Grafana label_values query, then the label is not taken for a metric', () => {
    expect(metricNamesIn('label_values(processor_state{namespace="$namespace"}, processor)')).toEqual([
      'processor_state',
    ]);
  });

  it('given a histogram, then its _bucket, _sum and _count series are exposed, not other suffixes', () => {
    const metrics = [{ name: 'h_seconds', type: 'histogram' }];
    expect(isExposed('h_seconds_bucket', metrics)).toBe(true);
    expect(isExposed('h_seconds_total', metrics)).toBe(false);
  });
});

describe('alert rules and dashboard', () => {
  it('every alert has an expression, a duration, a severity and a summary', () => {
    const list = rules();
    expect(list.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'ProcessorLagHigh',
        'ProcessorNotStreaming',
        'ProcessorParkedBacklogGrowing',
        'ProcessorCheckpointStale',
        'DurableTimersOverdue',
      ]),
    );
    for (const rule of list) {
      expect(rule.expr, rule.alert).toBeTruthy();
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('every metric the rules and the dashboard name is registered by the code', async () => {
    const metrics = await registeredMetrics();
    const expressions = [...rules().map((rule) => rule.expr ?? ''), ...dashboardExpressions()];
    const named = [...new Set(expressions.flatMap(metricNamesIn))];
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !isExposed(name, metrics))).toEqual([]);
  });

  it('every alert groups by labels its series carry, and none by job (the same for every pod)', async () => {
    const metrics = await registeredMetrics();
    const wrong = rules().flatMap((rule) => {
      const expression = rule.expr ?? '';
      const read = metrics.filter((metric) =>
        metricNamesIn(expression).some((name) => isExposed(name, [metric])),
      );
      const carried = new Set([...SCRAPE_LABELS, ...read.flatMap((metric) => metric.labels)]);
      if (read.some((metric) => metric.type === 'histogram')) carried.add('le');
      return groupingLabelsIn(expression)
        .filter((label) => label === 'job' || !carried.has(label))
        .map((label) => `${rule.alert}: by ${label}`);
    });
    expect(wrong).toEqual([]);
  });
});
