import { describe, expect, it } from 'vitest';
import type { FulfilmentView, StageEntry } from '../data';
import { timelineSteps } from './timeline';

function fulfilment(stage: string, history: StageEntry[]): FulfilmentView {
  return { stage, paid: true, payBy: '2025-01-01T00:15:00.000Z', history, cancellable: false };
}

const at = (minute: number) => `2025-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;

describe('timelineSteps', () => {
  it('given no fulfilment yet, shows Placed as current and the rest upcoming', () => {
    expect(timelineSteps(null).map(({ stage, state }) => [stage, state])).toEqual([
      ['Placed', 'current'],
      ['Reserved', 'upcoming'],
      ['Picking', 'upcoming'],
      ['Shipped', 'upcoming'],
      ['Delivered', 'upcoming'],
    ]);
  });

  it('marks the stages reached as done, with their times, whatever order the history came in', () => {
    const steps = timelineSteps(
      fulfilment('Picking', [
        { stage: 'Picking', at: at(5) },
        { stage: 'Placed', at: at(0) },
        { stage: 'Reserved', at: at(1), note: 'All items held' },
      ]),
    );
    expect(steps).toEqual([
      { stage: 'Placed', state: 'done', at: at(0) },
      { stage: 'Reserved', state: 'done', at: at(1), note: 'All items held' },
      { stage: 'Picking', state: 'current', at: at(5) },
      { stage: 'Shipped', state: 'upcoming' },
      { stage: 'Delivered', state: 'upcoming' },
    ]);
  });

  it('shows Backordered only for an order that went through it', () => {
    const steps = timelineSteps(
      fulfilment('Reserved', [
        { stage: 'Placed', at: at(0) },
        { stage: 'Backordered', at: at(1) },
        { stage: 'Reserved', at: at(9) },
      ]),
    );
    expect(steps.map(({ stage, state }) => `${stage}:${state}`)).toEqual([
      'Placed:done',
      'Backordered:done',
      'Reserved:current',
      'Picking:upcoming',
      'Shipped:upcoming',
      'Delivered:upcoming',
    ]);
  });

  it('ends with the end of an order that was cancelled, with nothing upcoming', () => {
    const steps = timelineSteps(
      fulfilment('Cancelled', [
        { stage: 'Placed', at: at(0) },
        { stage: 'Reserved', at: at(1) },
        { stage: 'Cancelled', at: at(3), note: 'Cancelled by the customer' },
      ]),
    );
    expect(steps).toEqual([
      { stage: 'Placed', state: 'done', at: at(0) },
      { stage: 'Reserved', state: 'done', at: at(1) },
      { stage: 'Cancelled', state: 'current', at: at(3), note: 'Cancelled by the customer' },
    ]);
  });

  it('marks a delivered order as complete', () => {
    const history = ['Placed', 'Reserved', 'Picking', 'Shipped', 'Delivered'].map((stage, minute) => ({
      stage,
      at: at(minute),
    }));
    expect(timelineSteps(fulfilment('Delivered', history)).every((step) => step.state === 'done')).toBe(true);
  });
});
