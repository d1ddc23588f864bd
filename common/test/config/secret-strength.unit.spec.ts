import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entropyEstimateBits, MIN_SECRET_ENTROPY_BITS, secretWeakness } from '../../src/config';

/** mulberry32: the same uniform bytes on every run. */
function seededBytes(seed: number): (length: number) => Buffer {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return (length) => Buffer.from(Array.from({ length }, next));
}

describe('secretWeakness', () => {
  it.each([
    ['one repeated character', 'a'.repeat(64), /too predictable: an entropy estimate of 0 bits/],
    ['two characters alternating', 'ab'.repeat(24), /too predictable/],
    ['a word repeated', 'password'.repeat(4), /too predictable/],
    ['too short, however random', randomBytes(12).toString('base64'), /shorter than 32 characters/],
    ['made of words', 'my-super-secret-session-key-for-the-shop', /common word/],
    ['a passphrase of placeholders', 'Change-Me-Before-Production-Please!', /common word/],
    ['a counting run', `prod-${randomBytes(16).toString('hex')}-12345678`, /sequence/],
    ['a keyboard run', `QWERTYUIop${randomBytes(16).toString('hex')}`, /sequence/],
    ['a run of one character', `${randomBytes(16).toString('hex')}zzzzzzzz`, /repeated character/],
  ])('given %s, then it is too weak', (_case, secret, reason) => {
    expect(secretWeakness(secret)).toMatch(reason);
  });

  it('never repeats the secret in its reason', () => {
    const secret = 'my-super-secret-session-key-for-the-shop';
    expect(secretWeakness(secret)).not.toContain('super');
  });

  it('given the secrets people generate, then none of 2,000 draws of each is refused', () => {
    // Seeded draws: a random secret is refused about once in 10^5, which must not make this test flaky.
    const bytes = seededBytes(14);
    const generators = {
      'openssl rand -hex 16 (the shortest accepted)': () => bytes(16).toString('hex'),
      'openssl rand -hex 32': () => bytes(32).toString('hex'),
      'openssl rand -base64 32': () => bytes(32).toString('base64'),
      'base64url of 24 bytes': () => bytes(24).toString('base64url'),
    };
    for (const [name, generate] of Object.entries(generators)) {
      const refused = Array.from({ length: 2_000 }, generate).filter((secret) => secretWeakness(secret));
      expect({ name, refused }).toEqual({ name, refused: [] });
    }
  });
});

describe('entropyEstimateBits', () => {
  it('is length times the entropy per character', () => {
    expect(entropyEstimateBits('aaaa')).toBe(0);
    expect(entropyEstimateBits('abab')).toBe(4);
    expect(entropyEstimateBits('0123456789abcdef')).toBe(64);
  });

  it('puts 32 random hex characters above the threshold and a repeated word below it', () => {
    expect(entropyEstimateBits(randomBytes(16).toString('hex'))).toBeGreaterThan(MIN_SECRET_ENTROPY_BITS);
    expect(entropyEstimateBits('password'.repeat(4))).toBeLessThan(MIN_SECRET_ENTROPY_BITS);
  });
});
