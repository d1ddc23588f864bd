import type { ReactNode } from 'react';
import { FormAlert } from '../components/form-alert';
import type { StreamState } from '../live/use-event-stream';

/** What a page's action answers: done (a status line) or refused (an alert). */
export interface ActionOutcome {
  ok: boolean;
  message: string;
}

export function ActionMessage({ outcome, testId }: { outcome: ActionOutcome | undefined; testId: string }) {
  if (!outcome) return null;
  if (!outcome.ok) return <FormAlert message={outcome.message} />;
  return (
    <p role="status" className="form-status" data-testid={testId}>
      {outcome.message}
    </p>
  );
}

/** Whether a live board is following its event stream. */
export function StreamBadge({ state }: { state: StreamState }) {
  const label = { live: 'live', idle: 'connecting', reconnecting: 'reconnecting' }[state];
  return (
    <span className={state === 'live' ? 'badge' : 'badge warn'} data-testid="board-stream">
      {label}
    </span>
  );
}

/** One column of a board: its stage, how many are in it, the cards shown and how many are not. */
export function BoardColumnFrame({
  stage,
  count,
  shown,
  children,
}: {
  stage: string;
  count: number;
  shown: number;
  children: ReactNode;
}) {
  return (
    <section className="board-column" aria-label={stage} data-testid={`column-${stage}`}>
      <h2>
        {stage} <span className="count">{count}</span>
      </h2>
      <ul>{children}</ul>
      {count > shown && <p className="hint">and {count - shown} more</p>}
    </section>
  );
}
