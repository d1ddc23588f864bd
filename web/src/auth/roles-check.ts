import * as oidc from 'openid-client';
import { userFromClaims } from './user';

export type RolesCheck =
  /** The provider answered for this user: these are the roles now (and maybe a rotated refresh token). */
  | { outcome: 'confirmed'; roles: string[]; refreshToken?: string }
  /** The provider refused the refresh token (revoked, user removed or disabled): the session ends. */
  | { outcome: 'revoked'; reason: string }
  /** Nothing could be asked (no refresh token, provider unreachable): roles age until they lapse. */
  | { outcome: 'unavailable'; reason: string };

/** Errors of the token endpoint that mean the grant is gone for good (RFC 6749 §5.2). */
const GRANT_GONE = new Set(['invalid_grant', 'unauthorized_client', 'invalid_client']);

/**
 * Asks the provider who the user is now, with the session's refresh token: the refreshed ID token
 * (or the UserInfo endpoint when the provider sends none) carries the current `roles` claim.
 */
export async function recheckRoles(
  config: oidc.Configuration,
  refreshToken: string | undefined,
  sub: string,
): Promise<RolesCheck> {
  if (!refreshToken) return { outcome: 'unavailable', reason: 'the provider gave no refresh token' };
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    tokens = await oidc.refreshTokenGrant(config, refreshToken);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError && GRANT_GONE.has(error.error))
      return { outcome: 'revoked', reason: error.error };
    return { outcome: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
  }
  const claims = tokens.claims() ?? (await oidc.fetchUserInfo(config, tokens.access_token, sub));
  if (claims.sub !== sub) return { outcome: 'revoked', reason: 'the provider answered for another user' };
  return {
    outcome: 'confirmed',
    roles: userFromClaims(claims).roles,
    ...(tokens.refresh_token && { refreshToken: tokens.refresh_token }),
  };
}
