/** What a sign-in in progress keeps between /auth/login and /auth/callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The signed-in session's id in `sessions`; who the user is lives there, not in the cookie. */
    sid: string;
    pendingSignIn: PendingSignIn;
    /** The anonymous cart's random id (128 bits, base64url), set on the first cart write. */
    cartId: string;
  }
}
