import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/**
 * A provider that answers like a real one (discovery, JWKS, token endpoint) but signs whatever ID
 * token the test asks for: a wrong `iss` or `nonce`, an expired token, another key. The real dev
 * provider never issues such tokens, which is what the callback must be proven to refuse.
 */
export interface OidcStandIn {
  issuer: string;
  /** Claims of the next ID token, over the defaults (iss, aud, sub, iat, exp); `nonce` must be given. */
  nextIdToken(claims: JWTPayload, options?: { signWithForeignKey?: boolean }): void;
  stop(): Promise<void>;
}

export async function startOidcStandIn(clientId: string): Promise<OidcStandIn> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let next: { claims: JWTPayload; foreignKey: boolean } | undefined;
  let issuer = '';

  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path === '/.well-known/openid-configuration')
      return send(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    if (path === '/jwks') return send(200, { keys: [jwk] });
    if (path === '/token' && req.method === 'POST') {
      for await (const _chunk of req); // the grant itself is not checked: the test drives the answer
      // Nothing prepared: the grant is refused, as a provider does for a revoked refresh token.
      if (!next) return send(400, { error: 'invalid_grant', error_description: 'grant revoked' });
      const { claims, foreignKey } = next;
      next = undefined;
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        iss: issuer,
        aud: clientId,
        sub: 'stand-in-user',
        iat: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .sign(foreignKey ? foreign.privateKey : privateKey);
      return send(200, {
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
        refresh_token: 'rt',
      });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    nextIdToken(claims, options = {}) {
      next = { claims, foreignKey: options.signWithForeignKey ?? false };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
