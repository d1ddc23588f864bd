import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { JWK } from 'oidc-provider';

/**
 * A fresh RS256 signing key: the dev provider keeps no state across restarts, so a key made at
 * start is enough (relying parties refetch the JWKS when they meet an unknown `kid`).
 */
export function generateSigningJwks(): { keys: JWK[] } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { keys: [{ ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' }] };
}

/** Keys that sign the provider's own cookies; random per start unless given. */
export function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}

/** Parses `IDP_JWKS` (a JSON `{ keys: [...] }`), so several instances can share a key. */
export function parseJwks(text: string): { keys: JWK[] } {
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error('IDP_JWKS must be a JSON object with a "keys" array of private JWKs');
  }
  return parsed as { keys: JWK[] };
}
