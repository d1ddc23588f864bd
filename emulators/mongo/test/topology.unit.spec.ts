import { Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { awaitRequest, Topology } from '../src/topology.js';

const elapsed = async (p: Promise<unknown>): Promise<number> => {
  const started = Date.now();
  await p;
  return Date.now() - started;
};

describe('topologyVersion and awaitable hello waits', () => {
  it('waits maxAwaitTimeMS for the current version, not for another process’s or an older one', async () => {
    const t = new Topology();
    expect(t.version().counter).toBeInstanceOf(Long);
    expect(await elapsed(t.awaitChange({ client: t.version(), maxAwaitTimeMS: 150 }))).toBeGreaterThanOrEqual(
      140,
    );
    const stale = { processId: new ObjectId(), counter: Long.fromNumber(0) };
    expect(await elapsed(t.awaitChange({ client: stale, maxAwaitTimeMS: 5000 }))).toBeLessThan(100);
    const before = t.version();
    t.changed();
    expect(t.version().counter.toNumber()).toBe(1);
    expect(await elapsed(t.awaitChange({ client: before, maxAwaitTimeMS: 5000 }))).toBeLessThan(100);
  });

  it('ends waits at a topology change, at close() and when the connection closes', async () => {
    const t = new Topology();
    const a = t.awaitChange({ client: t.version(), maxAwaitTimeMS: 10_000 });
    setTimeout(() => t.changed(), 50);
    expect(await elapsed(a)).toBeLessThan(2000);

    const conn = new AbortController();
    const b = t.awaitChange({ client: t.version(), maxAwaitTimeMS: 10_000 }, conn.signal);
    setTimeout(() => conn.abort(), 50);
    expect(await elapsed(b)).toBeLessThan(2000);

    const c = t.awaitChange({ client: t.version(), maxAwaitTimeMS: 10_000 });
    t.close();
    expect(await elapsed(c)).toBeLessThan(100);
    // Closed: even a current version is answered at once.
    expect(await elapsed(t.awaitChange({ client: t.version(), maxAwaitTimeMS: 10_000 }))).toBeLessThan(100);
  });

  it('rejects a counter from the future and validates the request like mongod', async () => {
    const t = new Topology();
    const future = { processId: t.processId, counter: Long.fromNumber(7) };
    await expect(t.awaitChange({ client: future, maxAwaitTimeMS: 10 })).rejects.toMatchObject({
      code: 31382,
    });
    expect(awaitRequest({ hello: 1 })).toBeNull();
    const tv = t.version();
    expect(awaitRequest({ hello: 1, topologyVersion: tv, maxAwaitTimeMS: 5 })?.maxAwaitTimeMS).toBe(5);
    expect(() => awaitRequest({ hello: 1, topologyVersion: tv })).toThrow(/must include 'maxAwaitTimeMS'/);
    expect(() => awaitRequest({ hello: 1, maxAwaitTimeMS: 5 })).toThrow(/must include a 'topologyVersion'/);
    expect(() =>
      awaitRequest({ hello: 1, topologyVersion: { ...tv, counter: Long.fromNumber(-1) }, maxAwaitTimeMS: 5 }),
    ).toThrow(/non-negative counter/);
  });
});
