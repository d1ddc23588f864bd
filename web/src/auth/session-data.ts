import type { SessionUser } from './user';

/** What a sign-in in progress keeps between /auth/login and /auth/callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    user: SessionUser;
    /** Kept for the `id_token_hint` of RP-initiated logout. */
    idToken: string;
    pendingSignIn: PendingSignIn;
    /** The anonymous cart's random id (128 bits, base64url), set on the first cart write. */
    cartId: string;
  }
}
