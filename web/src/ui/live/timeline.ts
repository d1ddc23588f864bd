import type { FulfilmentView, StageEntry } from '../data';

export type StepState = 'done' | 'current' | 'upcoming';

export interface TimelineStep {
  stage: string;
  state: StepState;
  /** When the order reached this stage (ISO), if it has. */
  at?: string;
  note?: string;
}

/** The stages an order goes through when all goes well (ordering's fulfilment stages). */
const HAPPY_PATH = ['Placed', 'Reserved', 'Picking', 'Shipped', 'Delivered'];
/** Stages that end an order early: nothing comes after them. */
const ENDINGS = new Set(['Cancelled', 'Expired', 'Failed']);
const BACKORDERED = 'Backordered';

/** History by time; entries at the same time keep the order ordering wrote them in. */
function byTime(history: StageEntry[]): StageEntry[] {
  return history
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.at) }))
    .sort((a, b) =>
      a.time === b.time || Number.isNaN(a.time - b.time) ? a.index - b.index : a.time - b.time,
    )
    .map(({ entry }) => entry);
}

/**
 * The steps to show for an order: the happy path with what has happened marked done and the stage
 * now current. Backordered appears only when the order went through it; an order that ended early
 * (cancelled, expired, failed) shows what did happen and then its end, with nothing upcoming.
 */
export function timelineSteps(fulfilment: FulfilmentView | null): TimelineStep[] {
  const history = byTime(fulfilment?.history ?? []);
  const current = fulfilment?.stage ?? 'Placed';
  const reached = new Map<string, StageEntry>();
  for (const entry of history) if (!reached.has(entry.stage)) reached.set(entry.stage, entry);

  const step = (stage: string, state: StepState): TimelineStep => {
    const entry = reached.get(stage);
    return { stage, state, ...(entry && { at: entry.at }), ...(entry?.note && { note: entry.note }) };
  };

  if (ENDINGS.has(current)) {
    const happened = [...reached.keys()].filter((stage) => stage !== current);
    return [...happened.map((stage) => step(stage, 'done')), step(current, 'current')];
  }

  const wentThroughBackorder = current === BACKORDERED || reached.has(BACKORDERED);
  const path = wentThroughBackorder ? ['Placed', BACKORDERED, ...HAPPY_PATH.slice(1)] : HAPPY_PATH;
  const currentIndex = Math.max(0, path.indexOf(current));
  return path.map((stage, index) => {
    if (index < currentIndex) return step(stage, 'done');
    if (index === currentIndex) return step(stage, current === 'Delivered' ? 'done' : 'current');
    return step(stage, 'upcoming');
  });
}
