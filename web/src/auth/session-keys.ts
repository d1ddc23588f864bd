import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keys derived from SESSION_SECRET (and SESSION_SECRET_PREVIOUS while a rotation is under way): the
 * newest seals, every one opens, so rotating the secret signs nobody out. HKDF rather than a
 * password hash: the secrets are random and long (production refuses weak ones), and deriving costs
 * nothing at start-up.
 */
export function deriveKeys(secrets: readonly string[], purpose: string): Buffer[] {
  return secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'az-shop', purpose, 32)));
}

/** The secrets in force, newest first. */
export function sessionSecrets(config: {
  SESSION_SECRET: string;
  SESSION_SECRET_PREVIOUS?: string;
}): string[] {
  return config.SESSION_SECRET_PREVIOUS
    ? [config.SESSION_SECRET, config.SESSION_SECRET_PREVIOUS]
    : [config.SESSION_SECRET];
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM for tokens kept at rest (refresh tokens in `sessions`): a database dump alone cannot use them. */
export class TokenCipher {
  constructor(private readonly keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('TokenCipher needs a key');
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0] as Buffer, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plain text, or undefined when no key in force opens it (sealed under a retired secret, or altered). */
  open(sealed: string): string | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = bytes.subarray(IV_BYTES + TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        // Not this key: try the next one.
      }
    }
    return undefined;
  }
}
