/**
 * Whether a secret could be guessed: the checks production runs on every secret it is given.
 *
 * - At least 32 characters.
 * - A Shannon entropy estimate of at least 90 bits: the length times the entropy per character of
 *   the secret's own character frequencies. The estimate sees only the characters present, so it
 *   understates random strings; the bar sits just under what the smallest honest secret scores:
 *   32 random hex characters (128 bits of randomness) estimate at 96 to 125 bits (never below 95 in
 *   20,000 draws), `openssl rand -base64 32` at about 190 to 220. Repeats and small alphabets fall
 *   far below: one repeated character is 0, `abab…` 32, `password` four times 88.
 * - No common word, keyboard or counting sequence, or run of one character: an estimate by
 *   characters cannot see words, and people make up secrets from them. Sequences and runs count from
 *   8 characters, words from 5, so a random secret (`openssl rand -hex 32` or `-base64 32`) holds
 *   one by chance about once in 10^5 (measured over 300,000 draws of each).
 */
export const MIN_SECRET_LENGTH = 32;
export const MIN_SECRET_ENTROPY_BITS = 90;

const COMMON_WORDS = [
  'secret',
  'passw',
  'changeme',
  'change-me',
  'default',
  'example',
  'sample',
  'dummy',
  'placeholder',
  'insecure',
  'unsafe',
  'local',
  'development',
  'testing',
  'production',
  'session',
  'admin',
  'letmein',
  'welcome',
];
const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const RUN_LENGTH = 8;

/** Length times the Shannon entropy of the string's character frequencies, in bits. */
export function entropyEstimateBits(value: string): number {
  const characters = [...value];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const p = count / characters.length;
    bitsPerCharacter -= p * Math.log2(p);
  }
  return bitsPerCharacter * characters.length;
}

function hasSequence(lower: string): boolean {
  for (const sequence of SEQUENCES) {
    const both = [sequence, [...sequence].reverse().join('')];
    for (const run of both)
      for (let start = 0; start + RUN_LENGTH <= run.length; start++)
        if (lower.includes(run.slice(start, start + RUN_LENGTH))) return true;
  }
  return false;
}

/** Why `value` is too weak to be a secret, or undefined when it passes. Never repeats the value. */
export function secretWeakness(value: string): string | undefined {
  const length = [...value].length;
  if (length < MIN_SECRET_LENGTH) return `shorter than ${MIN_SECRET_LENGTH} characters`;
  const bits = entropyEstimateBits(value);
  if (bits < MIN_SECRET_ENTROPY_BITS)
    return `too predictable: an entropy estimate of ${Math.floor(bits)} bits, under ${MIN_SECRET_ENTROPY_BITS}`;
  const lower = value.toLowerCase();
  if (COMMON_WORDS.some((word) => lower.includes(word)) || hasSequence(lower) || /(.)\1{7}/u.test(value))
    return 'made of a common word, a sequence or a repeated character';
  return undefined;
}
