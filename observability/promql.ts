// The metric names a PromQL expression reads, for checking alert rules and dashboards against the
// code. A small lexical pass, not a parser: enough for the expressions kept in this folder.

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** `label_values(metric{...}, label)` (a Grafana variable query) → `metric{...}`: the label is no metric. */
function unwrapLabelValues(query: string): string {
  return query.replace(/label_values\(\s*([^,)]*?)\s*(?:,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*)?\)/g, '$1');
}

export function metricNamesIn(expression: string): string[] {
  const bare = unwrapLabelValues(expression)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings (label values, regexes)
    .replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, '') // Grafana variables ($__rate_interval)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\boffset\s+-?[0-9a-zA-Z]+/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![0-9a-zA-Z_:.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = bare.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    if (KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** The labels an expression aggregates by (`sum by (a, b)`, `by (a) (...)`). */
export function groupingLabelsIn(expression: string): string[] {
  const labels = new Set<string>();
  for (const match of expression.matchAll(/\bby\s*\(([^)]*)\)/g))
    for (const label of (match[1] ?? '').split(',')) if (label.trim()) labels.add(label.trim());
  return [...labels];
}

export interface RegisteredMetric {
  name: string;
  type: string;
  /** The labels its series carry, the registry's default ones included. */
  labels: readonly string[];
}

/** Whether `name` is a series some registered metric exposes (histograms and summaries expose several). */
export function isExposed(
  name: string,
  metrics: readonly Pick<RegisteredMetric, 'name' | 'type'>[],
): boolean {
  return metrics.some((metric) => {
    if (metric.name === name) return true;
    const suffixes =
      metric.type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : metric.type === 'summary'
          ? ['_sum', '_count']
          : [];
    return suffixes.some((suffix) => name === `${metric.name}${suffix}`);
  });
}
