import {
  type ChangeStreamDocument,
  type CommandStartedEvent,
  MongoClient,
  type MongoServerError,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMongoServer } from '../src/index.js';
import { type AnyDoc, startWithClient } from './helpers.js';

type Ev = ChangeStreamDocument<AnyDoc>;

// Error labels on change-stream errors, as mongod's ErrorLabelBuilder gives them (error_label_builder.cpp):
// ChangeStreamFatalError (280) and ChangeStreamHistoryLost (286) carry NonResumableChangeStreamError; other
// errors do not. The change-streams spec ("Resumable Error"): against 4.4+ a driver resumes only on a network
// error, CursorNotFound or the ResumableChangeStreamError label, so these errors surface instead of looping.
describe('change-stream error labels', () => {
  let server: RunningMongoServer;
  let client: MongoClient;
  let close: () => Promise<void>;
  let aggregates = 0;
  beforeAll(async () => {
    ({ server, client, close } = await startWithClient({ oplogMaxEntries: 10 }));
    await client.close();
    client = new MongoClient(server.uri, { monitorCommands: true });
    client.on('commandStarted', (e: CommandStartedEvent) => {
      if (e.commandName === 'aggregate') aggregates++;
    });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await close();
  });

  const failure = (p: Promise<unknown>): Promise<MongoServerError> =>
    p.then(
      () => {
        throw new Error('expected a server error');
      },
      (e: MongoServerError) => e,
    );

  it('labels ChangeStreamHistoryLost (286) non-resumable, on the resume and on a stream that fell behind', async () => {
    const c = client.db('labels').collection<AnyDoc>('lost');
    const cs = c.watch<AnyDoc, Ev>();
    await cs.tryNext();
    await c.insertOne({ _id: 0 });
    const first = await cs.next();
    for (let i = 1; i <= 30; i++) await c.insertOne({ _id: i });
    // The open stream's position is no longer retained: its getMore fails, and the driver does not resume.
    const before = aggregates;
    const behind = await failure(cs.next());
    expect(behind).toMatchObject({ code: 286, errorLabels: ['NonResumableChangeStreamError'] });
    expect(aggregates).toBe(before);
    await cs.close();
    const stale = c.watch<AnyDoc, Ev>([], { resumeAfter: first._id });
    const resumed = await failure(stale.next());
    expect(resumed).toMatchObject({ code: 286, codeName: 'ChangeStreamHistoryLost' });
    expect(resumed.errorLabels).toEqual(['NonResumableChangeStreamError']);
    await stale.close();
  });

  it('labels an unusable resume token (ChangeStreamFatalError, 280) non-resumable', async () => {
    const c = client.db('labels').collection<AnyDoc>('fatal');
    const stream = c.watch<AnyDoc, Ev>([], { resumeAfter: { _data: 'not-a-token' } });
    const err = await failure(stream.next());
    expect(err).toMatchObject({ code: 280, errorLabels: ['NonResumableChangeStreamError'] });
    await stream.close();
    // A pipeline that modifies the resume token fails the stream at the event, with the same label.
    const projected = c.watch<AnyDoc, Ev>([{ $project: { _id: 0 } }]);
    await projected.tryNext();
    await c.insertOne({ _id: 1 });
    expect(await failure(projected.next())).toMatchObject({
      code: 280,
      errorLabels: ['NonResumableChangeStreamError'],
    });
    await projected.close();
  });

  it('leaves other errors unlabelled: resumeAfter an invalidate (260), CursorNotFound that the driver resumes', async () => {
    const c = client.db('labels').collection<AnyDoc>('inv');
    await c.insertOne({ _id: 1 });
    const cs = c.watch<AnyDoc, Ev>();
    await cs.tryNext();
    await c.drop();
    await cs.next(); // drop
    const invalidate = await cs.next();
    expect(invalidate.operationType).toBe('invalidate');
    await cs.close();
    const err = await failure(c.watch<AnyDoc, Ev>([], { resumeAfter: invalidate._id }).next());
    expect(err).toMatchObject({ code: 260, codeName: 'InvalidResumeToken' });
    expect(err.errorLabels ?? []).toEqual([]);

    // A cursor killed under the stream: CursorNotFound (43), resumable, so the driver reopens it and the
    // event written meanwhile still arrives.
    const d = client.db('labels').collection<AnyDoc>('killed');
    const stream = d.watch<AnyDoc, Ev>();
    await stream.tryNext();
    const opened = aggregates;
    const cursorId = (stream as unknown as { cursor: { id: unknown } }).cursor.id;
    await client.db('labels').command({ killCursors: 'killed', cursors: [cursorId] });
    await d.insertOne({ _id: 'after-kill' });
    const ev = await stream.next();
    expect(ev).toMatchObject({ operationType: 'insert', documentKey: { _id: 'after-kill' } });
    expect(aggregates).toBe(opened + 1);
    await stream.close();
  });
});
