import Provider, { type ClientMetadata, type Configuration, type JWK } from 'oidc-provider';
import { findAccount } from './accounts';
import { generateCookieKeys, generateSigningJwks } from './keys';
import { logoutPage, messagePage } from './views';

export interface ProviderOptions {
  issuer: string;
  clients: ClientMetadata[];
  /** Private signing keys; generated when absent. */
  jwks?: { keys: JWK[] };
  /** Keys that sign the provider's cookies; generated when absent. */
  cookieKeys?: string[];
}

/** What every client of the dev provider is unless it says otherwise: a confidential web app using code + PKCE. */
const CLIENT_DEFAULTS: Partial<ClientMetadata> = {
  // Refresh tokens let the client re-check the user's roles while its session lasts.
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

export function providerConfiguration(options: ProviderOptions): Configuration {
  return {
    clients: options.clients.map((client) => ({ ...CLIENT_DEFAULTS, ...client })),
    findAccount,
    jwks: options.jwks ?? generateSigningJwks(),
    cookies: { keys: options.cookieKeys ?? generateCookieKeys() },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    responseTypes: ['code'],
    // `roles` rides on the profile scope so a relying party asking for the standard scopes gets it,
    // as it would from a real provider that always adds app roles to the ID token.
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'roles'],
      email: ['email', 'email_verified'],
    },
    // Put the scope's claims in the ID token too (not only at the UserInfo endpoint): the web app
    // reads the user's name and roles from the ID token alone.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // As Entra ID does for `offline_access`: a client allowed to refresh gets a refresh token without
    // having to force the consent screen (oidc-provider keeps that scope only with prompt=consent).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out of the dev identity provider.');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      const lines = Object.entries(out).map(([key, value]) => `${key}: ${String(value)}`);
      ctx.body = messagePage('Sign-in error', lines.join('; '));
    },
    ttl: {
      // Short-lived dev defaults; explicit so oidc-provider does not warn about its own defaults.
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
      RefreshToken: 24 * 3600,
    },
  };
}

export function createProvider(options: ProviderOptions): Provider {
  return new Provider(options.issuer, providerConfiguration(options));
}
