import { describe, expect, it } from 'vitest';
import { isLoopbackHttp } from './oidc-client';

describe('isLoopbackHttp', () => {
  it.each(['http://127.0.0.1:4400', 'http://localhost:4400/', 'http://127.1.2.3', 'http://[::1]:4400'])(
    'allows plain http to the dev provider at %s',
    (url) => {
      expect(isLoopbackHttp(url)).toBe(true);
    },
  );

  it.each([
    'https://127.0.0.1:4400',
    'http://idp.example.com',
    'http://10.0.0.1',
    'http://127.0.0.1.example.com',
  ])('does not relax the rules for %s', (url) => {
    expect(isLoopbackHttp(url)).toBe(false);
  });
});
