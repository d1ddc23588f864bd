import { useEffect, useState } from 'react';
import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { StorefrontData } from '../../data';
import { formatDateTime } from '../../format';
import { useEventStream } from '../../live/use-event-stream';
import { BoardColumnFrame, StreamBadge } from '../components';
import type { BoardItem, FactoryBoard } from '../data';
import { adminRead } from '../route-data';
import { withItem } from './factory-board-state';

export function factoryLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<FactoryBoard> =>
    adminRead(request, () => source.admin.factoryBoard());
}

/** Now, once a second after hydration; the board's own time before (so the server's HTML matches). */
function useNow(initial: string): number {
  const [now, setNow] = useState(() => Date.parse(initial));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Stages an item waits in for capacity: where "waiting since" means something. */
const WAITING = new Set(['New', 'FactoryReady']);

/** How far a build is, from its start and expected end (the server's figure when they are missing). */
function progressAt(item: BoardItem, now: number): number {
  if (!item.startedAt || !item.expectedEndAt) return item.progress;
  const start = Date.parse(item.startedAt);
  const span = Date.parse(item.expectedEndAt) - start;
  return span > 0 ? Math.min(1, Math.max(0, (now - start) / span)) : 1;
}

function ItemCard({ item, now }: { item: BoardItem; now: number }) {
  const building = item.stage === 'Building';
  const progress = progressAt(item, now);
  return (
    <li className="board-card" data-testid="board-item" data-stage={item.stage}>
      <strong>
        {item.qty} × {item.productId}
      </strong>
      {item.orderId && <span className="badge warn">for order {item.orderId}</span>}
      {building && (
        <progress max={1} value={progress} aria-label={`Built ${Math.round(progress * 100)} %`}>
          {Math.round(progress * 100)} %
        </progress>
      )}
      {item.waitingSince && WAITING.has(item.stage) && (
        <span className="hint">waiting since {formatDateTime(item.waitingSince)}</span>
      )}
    </li>
  );
}

/** Bars drawn in SVG: the page's CSP allows no inline styles, and attributes are not styles. */
function HourChart({ bars }: { bars: FactoryBoard['finishedPerHour'] }) {
  const most = Math.max(1, ...bars.map((bar) => bar.units));
  const height = 80;
  const slot = 20;
  return (
    <figure className="hour-chart">
      <figcaption>Units finished per hour, the last {bars.length} hours</figcaption>
      <svg
        viewBox={`0 0 ${bars.length * slot} ${height}`}
        role="img"
        aria-label={bars.map((bar) => `${formatDateTime(bar.hour)}: ${bar.units} units`).join('; ')}
        data-testid="hour-chart"
      >
        {bars.map((bar, i) => {
          const barHeight = Math.max(1, (bar.units / most) * height);
          return (
            <rect key={bar.hour} x={i * slot + 2} y={height - barHeight} width={slot - 4} height={barHeight}>
              <title>{`${formatDateTime(bar.hour)}: ${bar.units}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

/**
 * The factory board: work items in columns by stage, live. A `board` event replaces the whole board
 * (sent after each burst of changes); an `item` event moves one item at once in between.
 */
export function FactoryPage() {
  const loaded = useLoaderData() as FactoryBoard;
  const [board, setBoard] = useState(loaded);
  useEffect(() => setBoard(loaded), [loaded]);
  const stream = useEventStream<FactoryBoard | BoardItem>(
    '/api/admin/factory/events',
    ['board', 'item'],
    (data, event) =>
      setBoard((current) =>
        event === 'board' ? (data as FactoryBoard) : withItem(current, data as BoardItem),
      ),
  );
  const now = useNow(loaded.at);
  return (
    <section aria-labelledby="factory-heading">
      <h1 id="factory-heading">Factory</h1>
      <p className="board-summary">
        <span data-testid="capacity">
          Building {board.capacity.inUse} of {board.capacity.total}
        </span>{' '}
        <StreamBadge state={stream} />
      </p>
      <div className="board" data-testid="factory-board">
        {board.columns.map((column) => (
          <BoardColumnFrame
            key={column.stage}
            stage={column.stage}
            count={column.count}
            shown={column.items.length}
          >
            {column.items.map((item) => (
              <ItemCard key={item.id} item={item} now={now} />
            ))}
          </BoardColumnFrame>
        ))}
      </div>
      <HourChart bars={board.finishedPerHour} />
    </section>
  );
}
