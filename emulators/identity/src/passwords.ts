import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { type DevUser, normalizeEmail } from './accounts';

const KEY_LENGTH = 32;
// Node's defaults (N = 2^14, r = 8, p = 1): ~30 ms a hash, slow enough to make guessing costly.
const SCRYPT_OPTIONS: ScryptOptions = { N: 16_384, r: 8, p: 1 };
/** Longer input is refused; only its start is hashed, so one request cannot buy a long scrypt. */
const MAX_PASSWORD_LENGTH = 256;

interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, SCRYPT_OPTIONS, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

async function matches(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password.slice(0, MAX_PASSWORD_LENGTH), stored.salt);
  return timingSafeEqual(candidate, stored.hash) && password.length <= MAX_PASSWORD_LENGTH;
}

export type CredentialCheck =
  | { ok: true; user: DevUser }
  | { ok: false; reason: 'unknown email' | 'wrong password' };

/** Checks an email and password; the reason is for the log only, never for the page. */
export interface Credentials {
  check(email: string, password: string): Promise<CredentialCheck>;
}

/**
 * Hashes every user's password once, at start: from then on only hashes are compared, in constant
 * time. An unknown email is checked against a decoy hash so it costs as long as a wrong password.
 */
export async function createCredentials(users: readonly DevUser[]): Promise<Credentials> {
  const hashes = new Map(
    await Promise.all(
      users.map(
        async (user) =>
          [normalizeEmail(user.email), { user, stored: await hashPassword(user.password) }] as const,
      ),
    ),
  );
  const decoy = await hashPassword(randomBytes(16).toString('hex'));
  return {
    async check(email, password) {
      const entry = hashes.get(normalizeEmail(email));
      const ok = await matches(password, entry?.stored ?? decoy);
      if (!entry) return { ok: false, reason: 'unknown email' };
      return ok ? { ok: true, user: entry.user } : { ok: false, reason: 'wrong password' };
    },
  };
}
