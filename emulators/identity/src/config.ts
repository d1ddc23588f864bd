import { baseConfigProperties } from '@az-shop/common';
import { Type } from 'typebox';

/** The dev provider's settings; the client id and secret are the same variables the web app reads. */
export const oidcEmulatorConfigSchema = Type.Object({
  NODE_ENV: baseConfigProperties.NODE_ENV,
  LOG_LEVEL: baseConfigProperties.LOG_LEVEL,
  HOST: baseConfigProperties.HOST,
  IDP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4400 }),
  OIDC_ISSUER: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4400' }),
  OIDC_CLIENT_ID: Type.String({ minLength: 1, default: 'az-shop-web' }),
  // Dev-only: the real provider's secret comes from the environment in every other place.
  OIDC_CLIENT_SECRET: Type.String({ minLength: 16, default: 'dev-only-az-shop-web-secret' }),
  OIDC_REDIRECT_URIS: Type.String({
    minLength: 1,
    default: 'http://127.0.0.1:3000/auth/callback,http://localhost:3000/auth/callback',
    description: 'Comma-separated redirect URIs of the web client',
  }),
  IDP_JWKS: Type.Optional(Type.String({ description: 'JSON { keys: [...] } of private signing keys' })),
  IDP_COOKIE_KEYS: Type.Optional(Type.String({ description: 'Comma-separated cookie signing keys' })),
});

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Sign-out returns to the web app's home page: the origin of each redirect URI. */
export function postLogoutRedirectUris(redirectUris: string[]): string[] {
  return [...new Set(redirectUris.map((uri) => `${new URL(uri).origin}/`))];
}
