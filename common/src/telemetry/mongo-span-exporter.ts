import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Collection, MongoClient } from 'mongodb';
import { type StoredSpan, TRACE_SPANS, toStoredSpan } from './stored-span';

/** How long the local store keeps a span. */
const KEEP_SECONDS = 24 * 3600;

/**
 * Dev only: writes finished spans to `trace_spans` in the services' own database, so traces can be
 * seen without any collector or cloud account (`TRACE_STORE=mongo`). The SDK runs exports with
 * tracing suppressed, so these writes make no spans of their own.
 */
export class MongoSpanExporter implements SpanExporter {
  private opened: Promise<{ client: MongoClient; spans: Collection<StoredSpan> }> | undefined;

  constructor(private readonly uri: string) {}

  /**
   * The driver is loaded at the first export, not before the SDK starts: loaded earlier, it would be
   * the unpatched copy the app then uses, and the app's queries would make no spans.
   */
  private open() {
    this.opened ??= (async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(this.uri, { appName: 'trace-store', maxPoolSize: 2 });
      const spans = client.db().collection<StoredSpan>(TRACE_SPANS);
      await Promise.all([
        spans.createIndex({ traceId: 1, start: 1 }),
        spans.createIndex({ start: 1 }, { expireAfterSeconds: KEEP_SECONDS }),
      ]).catch((error: unknown) => {
        // Spans are still stored, but without the TTL index they are never removed: say so once.
        process.stderr.write(
          `trace store: could not create the indexes of ${TRACE_SPANS} (${error instanceof Error ? error.message : String(error)}); spans will not expire\n`,
        );
      });
      return { client, spans };
    })();
    return this.opened;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.open()
      .then(({ spans: stored }) => stored.insertMany(spans.map(toStoredSpan), { ordered: false }))
      .then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (error: Error & { code?: number }) =>
          // A span stored before (a repeated export) is a duplicate key, not a failure.
          done(
            error.code === 11000
              ? { code: ExportResultCode.SUCCESS }
              : { code: ExportResultCode.FAILED, error },
          ),
      );
  }

  async shutdown(): Promise<void> {
    if (this.opened) await (await this.opened).client.close();
  }
}
