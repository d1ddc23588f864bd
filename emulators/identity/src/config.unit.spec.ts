import { describe, expect, it } from 'vitest';
import { findUserByEmail } from './accounts';
import { postLogoutRedirectUris, splitList } from './config';

describe('splitList', () => {
  it('splits on commas and drops blanks', () => {
    expect(splitList(' http://a/cb, ,http://b/cb ')).toEqual(['http://a/cb', 'http://b/cb']);
  });
});

describe('postLogoutRedirectUris', () => {
  it('sends the user back to the home page of each redirect URI’s origin, once', () => {
    expect(
      postLogoutRedirectUris([
        'http://127.0.0.1:3000/auth/callback',
        'http://127.0.0.1:3000/other/callback',
        'http://localhost:3000/auth/callback',
      ]),
    ).toEqual(['http://127.0.0.1:3000/', 'http://localhost:3000/']);
  });
});

describe('findUserByEmail', () => {
  it('finds a seeded user whatever the case and spacing', () => {
    expect(findUserByEmail(' Admin@Example.com ')?.roles).toEqual(['admin']);
    expect(findUserByEmail('nobody@example.com')).toBeUndefined();
  });
});
