import secureSession from '@fastify/secure-session';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from './session-keys';
import { sessionOpener } from './session-open';
import { sessionSealer } from './session-seal';

const [NEW_KEY, OLD_KEY] = deriveKeys(
  ['a-new-secret-of-enough-length', 'an-old-secret-of-enough-length'],
  'test',
) as [Buffer, Buffer];
const EXPIRY_SECONDS = 3600;

/** An opener over secure-session itself holding `keys`, counting the cookies it really opened. */
async function openerWith(keys: Buffer[], options: { maxEntries?: number; now?: () => number } = {}) {
  const app = Fastify();
  await app.register(secureSession, { cookieName: 'test', key: keys, expiry: EXPIRY_SECONDS });
  await app.ready();
  const unsealed: string[] = [];
  const open = sessionOpener({
    open: (cookie, log) => {
      unsealed.push(cookie);
      return app.decodeSecureSession(cookie, log);
    },
    create: (data) => app.createSecureSession(data),
    expirySeconds: EXPIRY_SECONDS,
    ...options,
  });
  const sealWith = (key: Buffer, data: Record<string, unknown>) =>
    sessionSealer([key])(app.createSecureSession(data));
  return { open: (cookie: string) => open(cookie, app.log as FastifyBaseLogger), unsealed, sealWith };
}

describe('sessionOpener', () => {
  it('given a cookie opened once, when it comes again, then its data and stamp without unsealing it again', async () => {
    const { open, unsealed, sealWith } = await openerWith([NEW_KEY]);
    const cookie = sealWith(NEW_KEY, { sid: 's-1', cartId: 'c-1' });
    const first = open(cookie);
    const again = open(cookie);
    expect(again?.data()).toEqual({ sid: 's-1', cartId: 'c-1' });
    expect(again?.get('__ts')).toBe(first?.get('__ts'));
    expect(again?.changed).toBe(false);
    expect(unsealed).toEqual([cookie]);
  });

  it('given a kept cookie, when one request changes its session, then the next opening does not see it', async () => {
    const { open, sealWith } = await openerWith([NEW_KEY]);
    const cookie = sealWith(NEW_KEY, { sid: 's-1', login: { state: 'x' } });
    open(cookie);
    const changed = open(cookie);
    changed?.set('sid', 'someone-else');
    (changed?.get('login') as { state: string }).state = 'y';
    expect(open(cookie)?.data()).toEqual({ sid: 's-1', login: { state: 'x' } });
  });

  it('given a kept cookie, when its session has expired since, then none, as secure-session answers', async () => {
    let now = Date.now();
    const { open, sealWith } = await openerWith([NEW_KEY], { now: () => now });
    const cookie = sealWith(NEW_KEY, { sid: 's-1' });
    expect(open(cookie)?.get('sid')).toBe('s-1');
    now += (EXPIRY_SECONDS + 1) * 1000;
    expect(open(cookie)).toBeNull();
  });

  it('given a cookie sealed with the previous key, then it is unsealed every time and marked to be sealed again', async () => {
    const { open, unsealed, sealWith } = await openerWith([NEW_KEY, OLD_KEY]);
    const cookie = sealWith(OLD_KEY, { sid: 's-1' });
    expect(open(cookie)?.changed).toBe(true);
    expect(open(cookie)?.changed).toBe(true);
    expect(unsealed).toEqual([cookie, cookie]);
  });

  it('given a forged or tampered cookie, then none, every time, and nothing is kept', async () => {
    const { open, unsealed, sealWith } = await openerWith([NEW_KEY]);
    const [cipher, nonce] = sealWith(NEW_KEY, { sid: 's-1' }).split(';') as [string, string];
    const tampered = `${cipher.slice(0, -4)}AAA=;${nonce}`;
    const foreign = sealWith(OLD_KEY, { sid: 's-1' });
    for (const cookie of [tampered, foreign, tampered, foreign]) expect(open(cookie)).toBeNull();
    expect(unsealed).toHaveLength(4);
  });

  it('given more cookies than it keeps, then the least recently opened is the one unsealed again', async () => {
    const { open, unsealed, sealWith } = await openerWith([NEW_KEY], { maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((sid) => sealWith(NEW_KEY, { sid })) as [string, string, string];
    open(a);
    open(b);
    open(a); // a is now the most recently opened
    open(c); // b goes
    unsealed.length = 0;
    expect([open(a)?.get('sid'), open(c)?.get('sid'), open(b)?.get('sid')]).toEqual(['a', 'c', 'b']);
    expect(unsealed).toEqual([b]);
  });
});
