import { describe, expect, it } from 'vitest';
import { deriveKeys, TokenCipher } from './session-keys';

const oldSecret = 'old-secret-0123456789-0123456789-0123456789';
const newSecret = 'new-secret-0123456789-0123456789-0123456789';

describe('deriveKeys', () => {
  it('gives a 32-byte key per secret, different per purpose', () => {
    const [cookie] = deriveKeys([newSecret], 'cookie');
    const [tokens] = deriveKeys([newSecret], 'tokens');
    expect(cookie).toHaveLength(32);
    expect(cookie?.equals(tokens as Buffer)).toBe(false);
  });
});

describe('TokenCipher', () => {
  it('opens what it sealed, and nothing altered', () => {
    const cipher = new TokenCipher(deriveKeys([newSecret], 'tokens'));
    const sealed = cipher.seal('refresh-token-value');
    expect(sealed).not.toContain('refresh-token-value');
    expect(cipher.open(sealed)).toBe('refresh-token-value');
    const altered = Buffer.from(sealed, 'base64url');
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(cipher.open(altered.toString('base64url'))).toBeUndefined();
    expect(cipher.open('short')).toBeUndefined();
  });

  it('given a rotation, opens tokens sealed under the previous secret and seals under the new one', () => {
    const before = new TokenCipher(deriveKeys([oldSecret], 'tokens'));
    const during = new TokenCipher(deriveKeys([newSecret, oldSecret], 'tokens'));
    const after = new TokenCipher(deriveKeys([newSecret], 'tokens'));
    const sealedBefore = before.seal('t1');
    expect(during.open(sealedBefore)).toBe('t1');
    expect(after.open(during.seal('t2'))).toBe('t2');
    expect(after.open(sealedBefore)).toBeUndefined();
  });
});
