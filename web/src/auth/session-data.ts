/** What a sign-in in progress keeps between /auth/login and /auth/callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /**
   * The public origin the sign-in started on (the shop's or the preview host's): the redirect URI
   * sent to the provider was built from it, and the code is redeemed with the same one. Absent in a
   * sign-in started by a version without it: the primary origin then.
   */
  origin?: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The signed-in session's id in `sessions`; who the user is lives there, not in the cookie. */
    sid: string;
    pendingSignIn: PendingSignIn;
    /** The anonymous cart's random id (128 bits, base64url), set on the first cart write. */
    cartId: string;
    /**
     * When this visitor last wrote (a form, an API call, a sign-in), by the clock of the instance that
     * answered: no instance shows them what it cached before it (auth/last-write.ts).
     */
    wroteAt: number;
  }
}
