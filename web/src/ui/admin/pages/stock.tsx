import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { StorefrontData } from '../../data';
import { formatDateTime } from '../../format';
import type { StockPoint, StockRow } from '../data';
import { adminRead } from '../route-data';

const CHART_HOURS = 24;

interface StockData {
  rows: StockRow[];
  /** The product whose chart is shown (`?product=`), and its points. */
  chart: { productId: string; points: StockPoint[] } | null;
}

export function stockLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<StockData> => {
    const productId = new URL(request.url).searchParams.get('product') ?? undefined;
    return adminRead(request, async () => {
      const rows = await source.admin.listStock();
      const chosen = productId ?? rows[0]?.productId;
      const points = chosen ? await source.admin.stockHistory(chosen, CHART_HOURS) : null;
      return { rows, chart: chosen && points ? { productId: chosen, points } : null };
    });
  };
}

/** Available units over time as an SVG line (steps between samples). */
function AvailableChart({ points }: { points: StockPoint[] }) {
  if (points.length === 0) return <p className="empty">No samples yet.</p>;
  const width = 600;
  const height = 120;
  const times = points.map((p) => Date.parse(p.at));
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const most = Math.max(1, ...points.map((p) => p.available));
  const x = (at: string) => ((Date.parse(at) - start) / span) * width;
  const y = (available: number) => height - (available / most) * height;
  const path = points
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'H'}${x(p.at).toFixed(1)}${i === 0 ? ` ${y(p.available).toFixed(1)}` : ` V${y(p.available).toFixed(1)}`}`,
    )
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="stock-chart"
      role="img"
      aria-label="Available units over time"
      data-testid="stock-chart"
    >
      <path d={path} fill="none" stroke="currentColor" strokeWidth={2} />
      <title>{points.map((p) => `${formatDateTime(p.at)}: ${p.available}`).join('; ')}</title>
    </svg>
  );
}

export function StockPage() {
  const { rows, chart } = useLoaderData() as StockData;
  return (
    <section aria-labelledby="stock-heading">
      <h1 id="stock-heading">Stock</h1>
      <table className="admin-table" data-testid="stock-table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">On hand</th>
            <th scope="col">Held</th>
            <th scope="col">Available</th>
            <th scope="col">Backordered</th>
            <th scope="col">In production</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.productId}>
              <th scope="row">
                <a href={`/admin/stock?product=${encodeURIComponent(row.productId)}`}>{row.heading}</a>
              </th>
              <td>{row.onHand}</td>
              <td>{row.held}</td>
              <td>{row.available}</td>
              <td>{row.backordered}</td>
              <td>{row.inProduction}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {chart && (
        <figure>
          <figcaption>
            Available units of {chart.productId}, the last {CHART_HOURS} hours
          </figcaption>
          <AvailableChart points={chart.points} />
        </figure>
      )}
    </section>
  );
}
