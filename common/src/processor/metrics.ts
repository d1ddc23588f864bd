import { Counter, Gauge, type Registry } from 'prom-client';
import { getOrCreate, metricsRegistry } from '../http/metrics';

/** Numeric values of the `processor_state` gauge. */
export const ProcessorState = {
  stopped: 0,
  catchingUp: 1,
  streaming: 2,
  reconnecting: 3,
  idle: 4,
} as const;
export type ProcessorStateName = keyof typeof ProcessorState;

export function processorMetrics(registry: Registry = metricsRegistry) {
  const registers = [registry];
  return {
    handled: getOrCreate(
      registry,
      'processor_events_handled_total',
      () =>
        new Counter({
          name: 'processor_events_handled_total',
          help: 'Change events handled successfully',
          labelNames: ['processor'],
          registers,
        }),
    ),
    // Received minus handled: what this instance read only to skip (other buckets, older checkpoints).
    received: getOrCreate(
      registry,
      'processor_events_received_total',
      () =>
        new Counter({
          name: 'processor_events_received_total',
          help: 'Change events read from the stream, whether this instance handles them or not',
          labelNames: ['processor'],
          registers,
        }),
    ),
    errors: getOrCreate(
      registry,
      'processor_handler_errors_total',
      () =>
        new Counter({
          name: 'processor_handler_errors_total',
          help: 'Handler attempts that threw',
          labelNames: ['processor'],
          registers,
        }),
    ),
    parked: getOrCreate(
      registry,
      'processor_parked_total',
      () =>
        new Counter({
          name: 'processor_parked_total',
          help: 'Events parked after exhausting their attempts',
          labelNames: ['processor'],
          registers,
        }),
    ),
    // Sampled every second, so it keeps rising while a handler or the stream stalls (docs/processor.md, "Lag").
    lag: getOrCreate(
      registry,
      'processor_lag_seconds',
      () =>
        new Gauge({
          name: 'processor_lag_seconds',
          help: 'Age of the oldest event not handled yet: the oldest read and unfinished, or the unread ones behind the stream',
          labelNames: ['processor'],
          registers,
        }),
    ),
    checkpointAge: getOrCreate(
      registry,
      'processor_checkpoint_age_seconds',
      () =>
        new Gauge({
          name: 'processor_checkpoint_age_seconds',
          help: 'Now minus the time of the position of the oldest saved checkpoint of the buckets this instance handles',
          labelNames: ['processor'],
          registers,
        }),
    ),
    parkedBacklog: getOrCreate(
      registry,
      'processor_parked_events',
      () =>
        new Gauge({
          name: 'processor_parked_events',
          help: 'Parked events not yet replayed or discarded (sampled every 10 s; every instance counts them all)',
          labelNames: ['processor'],
          registers,
        }),
    ),
    inFlight: getOrCreate(
      registry,
      'processor_in_flight',
      () =>
        new Gauge({
          name: 'processor_in_flight',
          help: 'Events queued or running, per bucket (bucket "all" without leases)',
          labelNames: ['processor', 'bucket'],
          registers,
        }),
    ),
    state: getOrCreate(
      registry,
      'processor_state',
      () =>
        new Gauge({
          name: 'processor_state',
          help: 'Processor state: 0 stopped, 1 catching up, 2 streaming, 3 reconnecting, 4 idle (no bucket owned)',
          labelNames: ['processor'],
          registers,
        }),
    ),
    ownedBuckets: getOrCreate(
      registry,
      'processor_owned_buckets',
      () =>
        new Gauge({
          name: 'processor_owned_buckets',
          help: 'Buckets whose lease this instance holds',
          labelNames: ['processor'],
          registers,
        }),
    ),
  };
}

export type ProcessorMetrics = ReturnType<typeof processorMetrics>;
