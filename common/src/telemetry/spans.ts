import {
  type Attributes,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { parseTraceparent } from './traceparent';

/**
 * The project's own spans (processor handlers, timers, live updates). A proxy until the SDK starts,
 * a no-op when it never does: spans then cost a function call.
 */
export const tracer = trace.getTracer('@az-shop/common');

export { SpanKind };

export interface DocumentSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Continue the document's trace (`parent`, the default) or start a new one linked to it (`link`). */
  relation?: 'parent' | 'link';
}

/** Where a span about `documents` starts: under the first one's `traceparent`, links to the others. */
export function documentSpanStart(
  documents: readonly unknown[],
  relation: 'parent' | 'link' = 'parent',
): { parent: typeof ROOT_CONTEXT; links: Link[] } {
  const contexts = documents.flatMap((document) => {
    const parsed = parseTraceparent((document as { traceparent?: unknown } | null)?.traceparent);
    return parsed ? [parsed] : [];
  });
  const [first, ...rest] = contexts;
  if (!first || relation === 'link') {
    return { parent: ROOT_CONTEXT, links: contexts.map((spanContext) => ({ context: spanContext })) };
  }
  return {
    parent: trace.setSpanContext(ROOT_CONTEXT, first),
    links: rest.map((spanContext) => ({ context: spanContext })),
  };
}

/**
 * Runs `work` in a span started from the trace context the documents carry (one document: its child;
 * several causes: linked), records a throw as the span's error, and ends it.
 */
export function inDocumentSpan<T>(
  name: string,
  documents: unknown | readonly unknown[],
  options: DocumentSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const list = Array.isArray(documents) ? documents : [documents];
  const { parent, links } = documentSpanStart(list, options.relation);
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: options.attributes ?? {},
    links,
  };
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A durable timer's span (ordering's timers, the factory's build scheduler): `<loop> <step>` for one
 * document the pass moves on, that document's child, named by `az_shop.timer` and `az_shop.document_id`.
 */
export function inTimerSpan<T>(
  loop: string,
  step: string,
  document: { _id: string },
  work: () => Promise<T>,
): Promise<T> {
  const attributes = { 'az_shop.timer': step, 'az_shop.document_id': document._id };
  return inDocumentSpan(`${loop} ${step}`, document, { attributes }, work);
}
