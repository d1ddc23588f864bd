import type { FulfilmentView } from '../data';
import { formatDateTime } from '../format';
import { timelineSteps } from '../live/timeline';

const STATE_LABEL = { done: 'done', current: 'now', upcoming: 'to come' } as const;

export function StageTimeline({ fulfilment }: { fulfilment: FulfilmentView | null }) {
  return (
    <ol className="timeline" data-testid="timeline">
      {timelineSteps(fulfilment).map((step) => (
        <li
          key={step.stage}
          className={`step step-${step.state}`}
          aria-current={step.state === 'current' ? 'step' : undefined}
        >
          <span className="step-stage">{step.stage}</span>
          <span className="visually-hidden"> ({STATE_LABEL[step.state]})</span>
          {step.at && (
            <time className="step-time" dateTime={step.at}>
              {formatDateTime(step.at)}
            </time>
          )}
          {step.note && <span className="step-note">{step.note}</span>}
        </li>
      ))}
    </ol>
  );
}
