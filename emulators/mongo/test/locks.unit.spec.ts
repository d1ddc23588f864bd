import { type Document, Long, UUID } from 'bson';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockedByTransaction } from '../src/locks.js';
import { SESSION_TIMEOUT_MS, Sessions, TXN_LIFETIME_MS } from '../src/sessions.js';
import { Engine } from '../src/storage/engine.js';

/** A server's sessions with one committed document {_id: 1, v: 0} and a transaction that updated it. */
async function lockedDocument(): Promise<{
  sessions: Sessions;
  owner: LockedByTransaction['owner'];
  writeOutside: () => void;
}> {
  const engine = new Engine({ oplogMaxEntries: 1000, oplogMaxAgeSeconds: 3600 });
  const sessions = new Sessions(engine);
  const direct = sessions.direct();
  const coll = direct.ensureCollection('db', 'c');
  const doc: Document = { _id: 1, v: 0 };
  direct.insert(coll, doc);
  await direct.flush();
  const session = sessions.get({ id: new UUID().toBinary() });
  const txn = sessions.startTransaction(session, Long.fromNumber(1));
  txn.update(coll, doc, { _id: 1, v: 1 }, 'u');
  const writeOutside = (): void => sessions.direct().update(coll, doc, { _id: 1, v: 2 }, 'u');
  let owner: LockedByTransaction['owner'] | undefined;
  try {
    writeOutside();
  } catch (err) {
    if (err instanceof LockedByTransaction) owner = err.owner;
  }
  expect(owner).toBe(txn);
  return { sessions, owner: owner!, writeOutside };
}

describe('waiting for a transaction’s document locks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends when the transaction outlives transactionLifetimeLimitSeconds and is reaped', async () => {
    const { sessions, owner, writeOutside } = await lockedDocument();
    const wait = sessions.locks.waitFor(owner, undefined);
    let released = false;
    void wait.then(() => {
      released = true;
    });
    sessions.reap();
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(false);
    vi.setSystemTime(Date.now() + TXN_LIFETIME_MS + 1);
    sessions.reap();
    await expect(wait).resolves.toBeUndefined();
    expect(writeOutside).not.toThrow();
    sessions.close();
  });

  it('ends when the session expires', async () => {
    const { sessions, owner } = await lockedDocument();
    const wait = sessions.locks.waitFor(owner, undefined);
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS + 1);
    sessions.reap();
    await expect(wait).resolves.toBeUndefined();
    sessions.close();
  });

  it('fails with InterruptedAtShutdown (91) when the server stops', async () => {
    const { sessions, owner } = await lockedDocument();
    const wait = sessions.locks.waitFor(owner, undefined);
    sessions.close();
    await expect(wait).rejects.toMatchObject({ code: 91 });
  });

  it('fails with MaxTimeMSExpired (50) at the deadline', async () => {
    vi.useRealTimers();
    const { sessions, owner } = await lockedDocument();
    await expect(sessions.locks.waitFor(owner, Date.now() + 50)).rejects.toMatchObject({ code: 50 });
    sessions.close();
  });
});
