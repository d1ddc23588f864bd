/** The signed-in user as the session keeps it and pages show it. */
export interface SessionUser {
  sub: string;
  name: string;
  email?: string;
  roles: string[];
}

export const ADMIN_ROLE = 'admin';

export function isAdmin(user: SessionUser | null | undefined): boolean {
  return user?.roles.includes(ADMIN_ROLE) ?? false;
}

/** Maps ID token claims to the session user; `roles` comes from the provider's `roles` claim. */
export function userFromClaims(claims: Record<string, unknown> & { sub: string }): SessionUser {
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role) => typeof role === 'string') : [];
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const name =
    typeof claims.name === 'string' && claims.name
      ? claims.name
      : (email ?? (typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub));
  return { sub: claims.sub, name, ...(email && { email }), roles };
}
