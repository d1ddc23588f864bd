import { UUID } from 'bson';
import { fail } from '../errors.js';
import { lsidKey } from '../sessions.js';
import { register } from './context.js';

register('endSessions', (ctx) => {
  const ids = ctx.cmd.endSessions;
  if (Array.isArray(ids)) {
    for (const lsid of ids) {
      const k = lsidKey(lsid);
      if (k) ctx.sessions.end(k);
    }
  }
  return { ok: 1 };
});

register('killSessions', (ctx) => {
  const ids = ctx.cmd.killSessions;
  if (Array.isArray(ids)) {
    for (const lsid of ids) {
      const k = lsidKey(lsid);
      if (!k) continue;
      ctx.sessions.end(k);
      ctx.cursors.killSession(k);
    }
  }
  return { ok: 1 };
});

register('killAllSessions', (ctx) => {
  for (const k of [...ctx.sessions.map.keys()]) {
    ctx.sessions.end(k);
    ctx.cursors.killSession(k);
  }
  return { ok: 1 };
});

/** Marks the sessions used now, as mongod's session cache does (they expire 30 minutes after last use). */
register('refreshSessions', (ctx) => {
  const ids = ctx.cmd.refreshSessions;
  if (Array.isArray(ids)) {
    for (const lsid of ids) {
      const k = lsidKey(lsid);
      if (k) ctx.sessions.seen(k, lsid);
    }
  }
  return { ok: 1 };
});

register('startSession', (ctx) => {
  const lsid = { id: new UUID().toBinary() };
  ctx.sessions.seen(lsidKey(lsid)!, lsid);
  return { id: lsid, timeoutMinutes: 30, ok: 1 };
});

register('commitTransaction', async (ctx) => {
  const txn = ctx.txn;
  if (!txn)
    fail('NoSuchTransaction', 'Given transaction number does not match any in-progress transactions.');
  if (txn.state === 'committed') return { ok: 1 };
  await txn.commit();
  return { ok: 1 };
});

register('abortTransaction', (ctx) => {
  const txn = ctx.txn;
  if (!txn)
    fail('NoSuchTransaction', 'Given transaction number does not match any in-progress transactions.');
  if (txn.state === 'committed') fail('TransactionCommitted', 'Transaction has been committed.');
  if (txn.state === 'aborted') fail('NoSuchTransaction', 'Transaction has been aborted.');
  txn.abort();
  return { ok: 1 };
});
