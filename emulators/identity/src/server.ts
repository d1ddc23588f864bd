import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMetadata, JWK } from 'oidc-provider';
import { DEV_USERS } from './accounts';
import { handleInteraction, INTERACTION_PATH, type SignInLog } from './interactions';
import { createCredentials } from './passwords';
import { createProvider } from './provider';

export interface StartOidcServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Defaults to `http://<host>:<port>` once the port is known. */
  issuer?: string;
  clients: ClientMetadata[];
  jwks?: { keys: JWK[] };
  cookieKeys?: string[];
  /** Where refused and accepted sign-ins are logged (a pino logger fits); silent when absent. */
  logger?: SignInLog;
}

const SILENT: SignInLog = { info: () => {}, warn: () => {} };

export interface OidcServer {
  issuer: string;
  port: number;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the dev OpenID Connect provider: oidc-provider for the protocol, our own login and consent
 * pages under /interaction, and a /healthz. Everything lives in memory and is gone after `stop()`.
 */
export async function startOidcServer(options: StartOidcServerOptions): Promise<OidcServer> {
  const host = options.host ?? '127.0.0.1';
  const credentials = await createCredentials(DEV_USERS);
  // The issuer must be known before the provider exists, and with port 0 only after listening:
  // so listen first and route requests to the provider once it is built.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (!handle) {
      res.writeHead(503).end();
      return;
    }
    handle(req, res);
  });
  const port = await listen(server, options.port, host);
  const issuer = options.issuer ?? `http://${host}:${port}`;
  const provider = createProvider({
    issuer,
    clients: options.clients,
    ...(options.jwks && { jwks: options.jwks }),
    ...(options.cookieKeys && { cookieKeys: options.cookieKeys }),
  });
  const protocol = provider.callback();
  const interactions = { provider, credentials, log: options.logger ?? SILENT };
  handle = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}');
      return;
    }
    const interaction = INTERACTION_PATH.exec(path);
    if (interaction) {
      void handleInteraction(interactions, req, res, interaction[2]);
      return;
    }
    void protocol(req, res);
  };

  return {
    issuer,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
