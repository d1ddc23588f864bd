import { createLogger, createShutdown, loadConfig, refuseToStartInProduction } from '@az-shop/common';
import { oidcEmulatorConfigSchema, postLogoutRedirectUris, splitList } from './config';
import { parseJwks } from './keys';
import { startOidcServer } from './server';

refuseToStartInProduction('the dev identity provider');
const config = loadConfig(oidcEmulatorConfigSchema);
const logger = createLogger('identity-emulator', config);
const shutdown = createShutdown(logger);

const redirectUris = splitList(config.OIDC_REDIRECT_URIS);
const server = await startOidcServer({
  port: config.IDP_PORT,
  host: config.HOST,
  issuer: config.OIDC_ISSUER,
  clients: [
    {
      client_id: config.OIDC_CLIENT_ID,
      client_secret: config.OIDC_CLIENT_SECRET,
      client_name: 'az-shop',
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris(redirectUris),
    },
  ],
  logger,
  ...(config.IDP_JWKS && { jwks: parseJwks(config.IDP_JWKS) }),
  ...(config.IDP_COOKIE_KEYS && { cookieKeys: splitList(config.IDP_COOKIE_KEYS) }),
});
shutdown.add('http', () => server.stop());

logger.info(
  { issuer: server.issuer, port: server.port, clientId: config.OIDC_CLIENT_ID },
  'dev OIDC provider ready',
);
