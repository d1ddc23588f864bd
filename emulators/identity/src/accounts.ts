import type { Account, FindAccount } from 'oidc-provider';

/** A seeded dev user; `sub` is stable so the web app can key carts and orders on it across restarts. */
export interface DevUser {
  sub: string;
  email: string;
  name: string;
  givenName: string;
  familyName: string;
  roles: string[];
  /** Dev-only and published in the README: the provider keeps only its scrypt hash (see passwords.ts). */
  password: string;
}

export const DEV_USERS: readonly DevUser[] = [
  {
    sub: 'shopper-0001',
    email: 'shopper@example.com',
    name: 'Sam Shopper',
    givenName: 'Sam',
    familyName: 'Shopper',
    roles: [],
    password: 'shopper-password',
  },
  {
    sub: 'admin-0001',
    email: 'admin@example.com',
    name: 'Ada Admin',
    givenName: 'Ada',
    familyName: 'Admin',
    roles: ['admin'],
    password: 'admin-password',
  },
];

/** Emails are compared trimmed and lower-cased, as people type them. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(email: string): DevUser | undefined {
  const wanted = normalizeEmail(email);
  return DEV_USERS.find((user) => user.email === wanted);
}

function toAccount(user: DevUser): Account {
  return {
    accountId: user.sub,
    // oidc-provider filters these by the granted scopes and claims, so returning all of them is safe.
    claims: () => ({
      sub: user.sub,
      name: user.name,
      given_name: user.givenName,
      family_name: user.familyName,
      email: user.email,
      email_verified: true,
      roles: user.roles,
    }),
  };
}

export const findAccount: FindAccount = (_ctx, sub) => {
  const user = DEV_USERS.find((candidate) => candidate.sub === sub);
  return user ? toAccount(user) : undefined;
};
