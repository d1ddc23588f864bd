import type { Document } from 'mongodb';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createKeyRouter, partitionKeyOf } from '../../src/processor/routing';
import type { ProcessorEvent } from '../../src/processor/types';

const byPartitionKey = (doc: Document) => doc.partition_key;

function event(fields: Partial<ProcessorEvent>): ProcessorEvent {
  return {
    operationType: 'delete',
    documentKey: { _id: 'd1' },
    fullDocument: null,
    token: { _data: 't' },
    source: 'stream',
    ...fields,
  };
}

/** A pino logger writing its records into `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string; keyFrom?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('partitionKeyOf', () => {
  it('reads the document after the change first', () => {
    const e = event({
      operationType: 'update',
      fullDocument: { _id: 'd1', partition_key: 'after' },
      fullDocumentBeforeChange: { _id: 'd1', partition_key: 'before' },
    });
    expect(partitionKeyOf(e, byPartitionKey)).toEqual({ key: 'after', from: 'fullDocument' });
  });

  it('without it (delete, or update of a document deleted before the lookup) reads the pre-image', () => {
    for (const operationType of ['delete', 'update'] as const) {
      const e = event({ operationType, fullDocumentBeforeChange: { _id: 'd1', partition_key: 'p1' } });
      expect(partitionKeyOf(e, byPartitionKey)).toEqual({ key: 'p1', from: 'fullDocumentBeforeChange' });
    }
  });

  it('applies a custom partitionKey to the pre-image as to the document', () => {
    const e = event({ fullDocumentBeforeChange: { _id: 'd1', tenant: { id: 7 } } });
    expect(partitionKeyOf(e, (doc) => doc.tenant.id)).toEqual({ key: '7', from: 'fullDocumentBeforeChange' });
  });

  it('with neither falls back to documentKey.partition_key, then _id (the documented rule)', () => {
    const sharded = event({
      documentKey: { _id: 'd1', partition_key: 'p1' },
      fullDocumentBeforeChange: null,
    });
    expect(partitionKeyOf(sharded, byPartitionKey)).toEqual({ key: 'p1', from: 'documentKey.partition_key' });
    expect(partitionKeyOf(event({}), byPartitionKey)).toEqual({ key: 'd1', from: 'documentKey._id' });
  });

  it('a document without a key value is its own partition (its _id)', () => {
    const e = event({ operationType: 'insert', fullDocument: { _id: 'd1' } });
    expect(partitionKeyOf(e, byPartitionKey)).toEqual({ key: 'd1', from: 'fullDocument' });
  });
});

describe('createKeyRouter', () => {
  it('warns once, on the first fallback to the document key, whatever the number of events', () => {
    const { logger, lines } = capturingLogger();
    const keyOf = createKeyRouter({ partitionKey: byPartitionKey, logger, preImages: true });
    expect(keyOf(event({ fullDocumentBeforeChange: { _id: 'd0', partition_key: 'p0' } }))).toBe('p0');
    expect(lines).toEqual([]);
    expect(keyOf(event({ documentKey: { _id: 'd1' } }))).toBe('d1');
    expect(keyOf(event({ documentKey: { _id: 'd2' } }))).toBe('d2');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, keyFrom: 'documentKey._id' });
    expect(lines[0]?.msg).toMatch(/enablePreImages/);
  });

  it('says preImages is off when that is the reason', () => {
    const { logger, lines } = capturingLogger();
    const keyOf = createKeyRouter({ partitionKey: byPartitionKey, logger, preImages: false });
    keyOf(event({}));
    expect(lines[0]?.msg).toMatch(/preImages is off/);
  });
});

describe('createKeyRouter in cosmos mode (no pre-images, no delete events)', () => {
  it('given an update whose document is gone before the lookup, on a collection sharded by partition_key, then the document key routes it and the warning names the cosmos remedy', () => {
    const { logger, lines } = capturingLogger();
    const route = createKeyRouter({ partitionKey: byPartitionKey, logger, preImages: false, mode: 'cosmos' });
    const gone = event({ operationType: undefined, documentKey: { _id: 'd1', partition_key: 'p1' } });
    expect(route(gone)).toBe('p1');
    expect(route(gone)).toBe('p1');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/cosmos mode.*shard the collection by partition_key.*soft-delete/);
  });
});
