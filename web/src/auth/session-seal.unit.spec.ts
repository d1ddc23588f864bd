import secureSession from '@fastify/secure-session';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from './session-keys';
import { sessionSealer } from './session-seal';

const [NEW_KEY, OLD_KEY] = deriveKeys(
  ['a-new-secret-of-enough-length', 'an-old-secret-of-enough-length'],
  'test',
);

/** secure-session itself, holding `keys`: the oracle that must open what web seals. */
async function secureSessionWith(keys: Buffer[]) {
  const app = Fastify();
  await app.register(secureSession, { cookieName: 'test', key: keys, expiry: 3600 });
  await app.ready();
  return app;
}

describe('sessionSealer', () => {
  it('given a session, when sealed, then secure-session opens it with the same data and time stamp', async () => {
    const oracle = await secureSessionWith([NEW_KEY as Buffer]);
    const session = oracle.createSecureSession({ cartId: 'c-1', login: { state: 'é🌿', verifier: 'v' } });
    session.set('sid', 's-9');
    const opened = oracle.decodeSecureSession(sessionSealer([NEW_KEY as Buffer])(session));
    expect(opened?.data()).toEqual({ cartId: 'c-1', login: { state: 'é🌿', verifier: 'v' }, sid: 's-9' });
    expect(opened?.get('__ts')).toBe(session.get('__ts'));
    expect(opened?.changed).toBe(false);
  });

  it('given two keys, when sealed, then the newest seals: an app holding only the old one cannot open it', async () => {
    const session = (await secureSessionWith([NEW_KEY as Buffer])).createSecureSession({ sid: 's' });
    const cookie = sessionSealer([NEW_KEY as Buffer, OLD_KEY as Buffer])(session);
    expect((await secureSessionWith([OLD_KEY as Buffer])).decodeSecureSession(cookie)).toBeNull();
    expect((await secureSessionWith([NEW_KEY as Buffer])).decodeSecureSession(cookie)?.get('sid')).toBe('s');
  });

  it('given the same session sealed many times, then no nonce repeats', async () => {
    const seal = sessionSealer([NEW_KEY as Buffer]);
    const session = (await secureSessionWith([NEW_KEY as Buffer])).createSecureSession({ sid: 's' });
    const nonces = Array.from({ length: 500 }, () => seal(session).split(';')[1]);
    for (const nonce of nonces) expect(Buffer.from(nonce as string, 'base64')).toHaveLength(24);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('given an expired time stamp, when sealed, then secure-session refuses it as it refuses its own', async () => {
    const oracle = await secureSessionWith([NEW_KEY as Buffer]);
    const stale = oracle.createSecureSession({ sid: 's', __ts: Math.round(Date.now() / 1000) - 7200 });
    expect(oracle.decodeSecureSession(sessionSealer([NEW_KEY as Buffer])(stale))).toBeNull();
    expect(oracle.decodeSecureSession(oracle.encodeSecureSession(stale))).toBeNull();
  });
});
