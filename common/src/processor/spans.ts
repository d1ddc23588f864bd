import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
import { type DocumentSpanOptions, SpanKind } from '../telemetry/spans';
import type { ProcessorEvent } from './types';

/** What a handler span says about its event (docs/observability.md lists them). */
export function handlerSpanOptions(
  processor: string,
  collection: string,
  partitionKey: string,
  event: ProcessorEvent,
  bucket: number | null,
): DocumentSpanOptions {
  const attributes: Attributes = {
    'messaging.system': 'mongodb',
    'messaging.operation.type': 'process',
    'messaging.destination.name': collection,
    'messaging.consumer.group.name': processor,
    'az_shop.processor': processor,
    'az_shop.partition_key': partitionKey,
    'az_shop.operation': event.operationType ?? event.source,
    'az_shop.document_id': String(event.documentKey._id),
  };
  if (bucket !== null) attributes['az_shop.bucket'] = bucket;
  return { kind: SpanKind.CONSUMER, attributes };
}

export type HandlerOutcome = 'retry' | 'parked' | 'lease lost' | 'stopped';

/**
 * A span event for what happened to the event besides being handled. Parking is the span's error;
 * a retry is not (the next attempt may succeed), nor is a stop or a lost lease (re-delivered later).
 */
export function recordHandlerOutcome(
  span: Span,
  outcome: HandlerOutcome,
  details: { attempt: number; error?: unknown; transient?: boolean },
): void {
  const attributes: Attributes = { 'az_shop.attempt': details.attempt };
  if (details.transient !== undefined) attributes['az_shop.transient'] = details.transient;
  if (details.error !== undefined) {
    attributes['exception.message'] =
      details.error instanceof Error ? details.error.message : String(details.error);
    if (details.error instanceof Error) attributes['exception.type'] = details.error.name;
  }
  span.addEvent(outcome, attributes);
  if (outcome === 'parked')
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'parked after its attempts' });
}
