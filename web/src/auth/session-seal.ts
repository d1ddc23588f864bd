import type { FastifyRequest } from 'fastify';
import sodium from 'sodium-native';
import { randomPool } from '../http/random-pool';

type SecureSession = FastifyRequest['session'];

/**
 * Seals a session as @fastify/secure-session does (XSalsa20-Poly1305 `crypto_secretbox` with the
 * newest key over the session's JSON, its `__ts` included; the cookie is `base64(cipher);base64(nonce)`),
 * so secure-session opens it, with the 24-byte random nonce from a pooled CSPRNG draw. secure-session
 * asks libsodium for each nonce, one `getrandom` system call per cookie sealed: 13 µs of the 136 of a
 * first visit's page (`npm run bench -- ssr`), where every visitor gets a CSRF secret sealed.
 */
export function sessionSealer(keys: readonly Buffer[]): (session: SecureSession) => string {
  const key = keys[0];
  if (!key) throw new Error('sealing a session needs a key');
  const random = randomPool();
  return (session) => {
    const message = Buffer.from(JSON.stringify({ ...session.data(), __ts: session.get('__ts') }));
    const nonce = random.bytes(sodium.crypto_secretbox_NONCEBYTES);
    const cipher = Buffer.allocUnsafe(message.length + sodium.crypto_secretbox_MACBYTES);
    sodium.crypto_secretbox_easy(cipher, message, nonce, key);
    return `${cipher.toString('base64')};${nonce.toString('base64')}`;
  };
}
