import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../src/http/duration-histogram';

// prom-client's own Histogram is the oracle: the same observations must scrape the same.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CONFIG = {
  name: 'http_request_duration_seconds',
  help: 'Requests by method, route and status \\ with a backslash\nand a new line',
  labelNames: ['method', 'route', 'status'],
  buckets: BUCKETS,
};

type Series = readonly [method: string, route: string, status: string];
const THING: Series = ['GET', '/things/:id', '200'];
const ORDER: Series = ['POST', '/orders', '201'];
const UNMATCHED: Series = ['GET', '(unmatched)', '404'];
const ESCAPED: Series = ['GET', '/a"b\\c\nd', '500'];

/** On every bucket edge, between edges, 0, below 0, tiny and huge (past the last bucket, summing to +Inf). */
const VALUES = [
  0,
  ...BUCKETS,
  ...BUCKETS.map((bound) => bound * 0.999),
  ...BUCKETS.map((bound) => bound * 1.001),
  1e-9,
  0.1 + 0.2,
  -0.5,
  10.000001,
  3600,
  1e300,
  Number.MAX_VALUE,
];

function registries(contentType: RegistryContentType) {
  const made = () => {
    const registry = new Registry();
    // prom-client's types fix a registry's content type at Prometheus text; it takes either.
    registry.setContentType(contentType as typeof Registry.PROMETHEUS_CONTENT_TYPE);
    registry.setDefaultLabels({ service: 'catalog' });
    return registry;
  };
  const oracle = made();
  const ours = made();
  const reference = new Histogram({ ...CONFIG, registers: [oracle] });
  const histogram = new DurationHistogram({ ...CONFIG, registry: ours });
  /** The same observation in both: the oracle through a labelled child, as the hook used to. */
  const observe = (series: Series, value: number) => {
    reference.labels(...series).observe(value);
    histogram.child(...series).observe(value);
  };
  return { oracle, ours, observe };
}

async function expectSameScrape(oracle: Registry, ours: Registry) {
  expect(await ours.metrics()).toBe(await oracle.metrics());
  expect(await ours.getMetricsAsJSON()).toStrictEqual(await oracle.getMetricsAsJSON());
}

describe.each([
  ['Prometheus', Registry.PROMETHEUS_CONTENT_TYPE],
  ['OpenMetrics', Registry.OPENMETRICS_CONTENT_TYPE],
])('duration histogram against prom-client (%s text)', (_, contentType) => {
  it('given observations on, between and past the bucket edges in several series, when scraped, then the text is identical', async () => {
    const { oracle, ours, observe } = registries(contentType);
    VALUES.forEach((value, i) => {
      // Interleaved, so the order in which series first appear is tested too.
      observe([ORDER, THING, UNMATCHED, ESCAPED][i % 4]!, value);
      if (i % 3 === 0) observe(THING, value / 7);
    });
    observe(UNMATCHED, Number.MAX_VALUE); // its second: the sum overflows
    await expectSameScrape(oracle, ours);
    const text = await ours.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.001",service="catalog",method="GET",route="/things/:id",status="200"}',
    );
    expect(text).toContain('route="/a\\"b\\\\c\\nd"');
    expect(text).toContain(
      'http_request_duration_seconds_sum{service="catalog",method="GET",route="(unmatched)",status="404"} +Inf',
    );
  });

  it('given a reset, when scraped, then both are empty, and observed again, the series come back in their new order', async () => {
    const { oracle, ours, observe } = registries(contentType);
    for (const value of VALUES.slice(0, 20)) {
      observe(THING, value);
      observe(ORDER, value);
    }
    oracle.resetMetrics();
    ours.resetMetrics();
    await expectSameScrape(oracle, ours);
    expect(await ours.metrics()).not.toContain('_count');

    observe(UNMATCHED, 0.002);
    observe(ORDER, 0.01);
    observe(ORDER, 0.7);
    await expectSameScrape(oracle, ours);
    const counts = (await ours.metrics()).split('\n').filter((line) => line.includes('_count{'));
    expect(counts).toEqual([
      'http_request_duration_seconds_count{service="catalog",method="GET",route="(unmatched)",status="404"} 1',
      'http_request_duration_seconds_count{service="catalog",method="POST",route="/orders",status="201"} 2',
    ]);
  });

  it('given a value that is not a finite number, when observed, then it is refused as prom-client refuses it and nothing is counted', async () => {
    const { oracle, ours, observe } = registries(contentType);
    observe(THING, 0.02);
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(() => observe(THING, value)).toThrow(TypeError);
    await expectSameScrape(oracle, ours);
    expect(await ours.metrics()).toContain('status="200"} 1');
  });
});

describe('duration histogram series', () => {
  it('given the same label values twice, when a child is asked for, then it is the same series', () => {
    const histogram = new DurationHistogram({ ...CONFIG, registry: new Registry() });
    expect(histogram.child(...THING)).toBe(histogram.child(...THING));
    expect(histogram.child(...THING)).not.toBe(histogram.child(...ORDER));
  });

  it('given the wrong number of label values, when a child is asked for, then it throws', () => {
    const histogram = new DurationHistogram({ ...CONFIG, registry: new Registry() });
    expect(() => histogram.child('GET', '/x')).toThrow(/3 label values, not 2/);
  });

  it('given a registry, when the histogram is made, then the registry holds it under its name, with its labels', () => {
    const registry = new Registry();
    const histogram = new DurationHistogram({ ...CONFIG, registry });
    expect(registry.getSingleMetric(CONFIG.name)).toBe(histogram);
    expect(histogram.labelNames).toEqual(['method', 'route', 'status']);
    expect(() => new DurationHistogram({ ...CONFIG, registry })).toThrow(/already been registered/);
  });
});
