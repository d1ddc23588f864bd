import * as oidc from 'openid-client';

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** Plain http is accepted only for a provider on this machine (the dev identity provider). */
export function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname));
}

/**
 * The provider's metadata, discovered on first use and cached: web starts even when the provider is
 * not up yet (pm2 starts them together), and a failed discovery is retried on the next sign-in.
 */
export class OidcClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: OidcClientOptions) {}

  get(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.options;
    return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
      // ID tokens come straight from the token endpoint, where TLS alone would do (OIDC Core
      // 3.1.3.7); their signatures are checked against the provider's keys all the same.
      execute: [
        oidc.enableNonRepudiationChecks,
        ...(isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : []),
      ],
    });
  }
}
