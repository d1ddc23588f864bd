import { describe, expect, it } from 'vitest';
import { isAdmin, userFromClaims } from './user';

describe('userFromClaims', () => {
  it('takes the name, email and roles from the ID token claims', () => {
    expect(userFromClaims({ sub: 'u1', name: 'Ada', email: 'ada@example.com', roles: ['admin'] })).toEqual({
      sub: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      roles: ['admin'],
    });
  });

  it('falls back to the email, then the subject, for the display name', () => {
    expect(userFromClaims({ sub: 'u1', email: 'sam@example.com' }).name).toBe('sam@example.com');
    expect(userFromClaims({ sub: 'u1' }).name).toBe('u1');
  });

  it('ignores a roles claim that is not a list of strings', () => {
    expect(userFromClaims({ sub: 'u1', roles: 'admin' }).roles).toEqual([]);
    expect(userFromClaims({ sub: 'u1', roles: ['admin', 7] }).roles).toEqual(['admin']);
  });
});

describe('isAdmin', () => {
  it('is true only with the admin role', () => {
    expect(isAdmin({ sub: 'a', name: 'A', roles: ['admin'] })).toBe(true);
    expect(isAdmin({ sub: 's', name: 'S', roles: [] })).toBe(false);
    expect(isAdmin(null)).toBe(false);
  });
});
