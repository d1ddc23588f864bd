import type { Metric, Registry } from 'prom-client';

/**
 * A histogram with fixed labels and buckets whose observation is a bucket search and a few
 * additions (issue #18): prom-client's `observe` hashes and validates the label object on every
 * call. It sits in a prom-client `Registry` like any metric and exports exactly what a prom-client
 * `Histogram` with the same name, help, labels and buckets would (test/duration-histogram.unit.spec.ts
 * holds one as the oracle): per series, in the order first observed since the last reset, the
 * cumulative `_bucket`s by `le`, `+Inf`, `_sum` and `_count`.
 */

type Labels = Readonly<Record<string, string>>;

/** One value of an export, shaped as prom-client's histogram gives it to the registry. */
interface ExportValue {
  labels: Record<string, string | number>;
  sharedLabels: Labels;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/** One labelled series: its count per bucket (not cumulative), sum and count. */
export class HistogramSeries {
  /** Whether the series is exported: from its first observation until the histogram is reset. */
  recorded = false;
  sum = 0;
  count = 0;
  readonly buckets: Float64Array;
  /** The same object on every export: the registry caches its text by identity. */
  readonly labels: Labels;
  readonly #histogram: DurationHistogram;
  readonly #bounds: readonly number[];

  constructor(histogram: DurationHistogram, bounds: readonly number[], labels: Labels) {
    this.#histogram = histogram;
    this.#bounds = bounds;
    this.labels = labels;
    this.buckets = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    // prom-client refuses these too (a NaN would poison the sum for good).
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.buckets[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
    if (!this.recorded) this.#histogram.record(this);
  }

  clear(): void {
    this.recorded = false;
    this.sum = 0;
    this.count = 0;
    this.buckets.fill(0);
  }
}

export interface DurationHistogramOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Upper bounds, ascending (`+Inf` is implied). */
  buckets: readonly number[];
  registry: Registry;
}

export class DurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  /** Read by tooling that lists a metric's labels (observability's rule checks). */
  readonly labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();
  /** The series observed since the last reset, in the order of their first observation. */
  #recorded: HistogramSeries[] = [];

  constructor({ name, help, labelNames, buckets, registry }: DurationHistogramOptions) {
    if (buckets.some((bound, i) => i > 0 && bound <= buckets[i - 1]!))
      throw new Error(`Buckets of ${name} must be ascending`);
    this.name = name;
    this.help = help;
    this.labelNames = Object.freeze([...labelNames]);
    this.#bounds = Object.freeze([...buckets]);
    // The registry reads only name, help, type and aggregator and calls get(), getForPromString()
    // and reset(): it is not a prom-client class, hence the cast.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values (in `labelNames` order), the same one on every call. */
  child(...values: string[]): HistogramSeries {
    if (values.length !== this.labelNames.length)
      throw new Error(`${this.name} takes ${this.labelNames.length} label values, not ${values.length}`);
    const key = JSON.stringify(values);
    let series = this.#series.get(key);
    if (!series) {
      const labels = Object.freeze(
        Object.fromEntries(this.labelNames.map((label, i) => [label, values[i]!])),
      );
      series = new HistogramSeries(this, this.#bounds, labels);
      this.#series.set(key, series);
    }
    return series;
  }

  /** A series' first observation since the last reset: from now on it is exported. */
  record(series: HistogramSeries): void {
    series.recorded = true;
    this.#recorded.push(series);
  }

  /** `registry.resetMetrics()`: every series leaves the export until observed again. */
  reset(): void {
    for (const series of this.#recorded) series.clear();
    this.#recorded = [];
  }

  /** What the registry turns into text (as prom-client's histogram: labels apart from `le`). */
  async getForPromString() {
    const bucket = `${this.name}_bucket`;
    const values: ExportValue[] = [];
    for (const { labels, buckets, sum, count } of this.#recorded) {
      let cumulative = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += buckets[i]!;
        values.push(exportValue({ le: this.#bounds[i]! }, labels, cumulative, bucket, null));
      }
      values.push(exportValue({ le: '+Inf' }, labels, count, bucket, null));
      values.push(exportValue({}, labels, sum, `${this.name}_sum`, undefined));
      values.push(exportValue({}, labels, count, `${this.name}_count`, undefined));
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** What `registry.getMetricsAsJSON()` reads: each value's labels with the series' own merged in. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, ...value }) => ({
        ...value,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }
}

function exportValue(
  labels: ExportValue['labels'],
  sharedLabels: Labels,
  value: number,
  metricName: string,
  exemplar: null | undefined,
): ExportValue {
  return { labels, sharedLabels, value, metricName, exemplar };
}
