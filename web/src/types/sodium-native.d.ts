// The part of sodium-native (libsodium, as @fastify/secure-session uses it) that web calls itself.
declare module 'sodium-native' {
  export const crypto_secretbox_NONCEBYTES: number;
  export const crypto_secretbox_MACBYTES: number;
  export function crypto_secretbox_easy(cipher: Buffer, message: Buffer, nonce: Buffer, key: Buffer): void;
}
