import type { StoredSpan } from '@az-shop/common';

/** The drawn parts of a span: its row (tree order), depth, and bar. */
export interface WaterfallRow {
  span: StoredSpan;
  depth: number;
  offsetMs: number;
}

/**
 * Spans in tree order (each after its parent, siblings by start), with their depth and start offset
 * from the trace's first span. A span whose parent is not among them (not stored, or still running)
 * is drawn as a root.
 */
export function waterfallRows(spans: readonly StoredSpan[]): WaterfallRow[] {
  if (spans.length === 0) return [];
  const t0 = Math.min(...spans.map((span) => span.start.getTime()));
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, StoredSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const siblings = children.get(parent);
    if (siblings) siblings.push(span);
    else children.set(parent, [span]);
  }
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.start.getTime() - b.start.getTime());
    for (const span of list) {
      rows.push({ span, depth, offsetMs: span.start.getTime() - t0 });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

const ROW = 22;
const LABEL = 420;
const CHART = 640;
const TOP = 30;
const COLOURS: Record<string, string> = { web: '#2563eb', ordering: '#16a34a', factory: '#d97706' };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
}

/**
 * One trace as an SVG waterfall: a row per span (indented by depth, coloured by service), its bar at
 * its start and as long as it lasted, on a scale from the first span's start to the last one's end.
 */
export function renderWaterfall(spans: readonly StoredSpan[], title: string): string {
  const rows = waterfallRows(spans);
  const totalMs = Math.max(1, ...rows.map((row) => row.offsetMs + row.span.durationMs));
  const scale = CHART / totalMs;
  const width = LABEL + CHART + 20;
  const height = TOP + rows.length * ROW + 30;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => {
    const x = LABEL + share * CHART;
    return `<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${height - 24}" stroke="#e5e7eb"/><text x="${x}" y="${height - 8}" text-anchor="middle">${formatMs(share * totalMs)}</text>`;
  });
  const bars = rows.map(({ span, depth, offsetMs }, i) => {
    const y = TOP + i * ROW;
    const x = LABEL + offsetMs * scale;
    const barWidth = Math.max(1, span.durationMs * scale);
    const colour = span.error ? '#dc2626' : (COLOURS[span.service] ?? '#6b7280');
    const events = span.events.length > 0 ? ` [${span.events.join(', ')}]` : '';
    const label = `${span.service} · ${span.name}`;
    return [
      `<g><title>${escapeXml(`${label}: ${formatMs(span.durationMs)} at +${formatMs(offsetMs)}${events}`)}</title>`,
      `<text x="${6 + depth * 12}" y="${y + 15}">${escapeXml(label.length > 60 ? `${label.slice(0, 59)}…` : label)}</text>`,
      `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="${ROW - 8}" rx="2" fill="${colour}"/>`,
      span.events.length > 0
        ? `<text x="${(x + barWidth + 4).toFixed(1)}" y="${y + 15}" fill="#dc2626">${escapeXml(span.events.join(', '))}</text>`
        : '',
      '</g>',
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="6" y="18" font-weight="bold">${escapeXml(title)} — ${rows.length} spans, ${formatMs(totalMs)}</text>`,
    ...ticks,
    ...bars,
    '</svg>',
  ].join('\n');
}
