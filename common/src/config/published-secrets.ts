/**
 * Every secret value written in this repository: dev defaults, seeded passwords, test helpers'
 * secrets. They are public, so production refuses each of them wherever a secret is expected.
 * `published-secrets.unit.spec.ts` scans the tracked files and fails when a new one is not listed.
 */
const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  // .env_local.example
  'dev-only-session-secret-change-me-0123456789',
  'dev-only-client-secret-not-for-production',
  // Azurite's well-known development account key (.env_local.example, web/test/azurite.ts)
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  // emulators/identity: the client secret default, the seeded users' passwords, README and tests
  'dev-only-az-shop-web-secret',
  'shopper-password',
  'admin-password',
  'test-secret',
  'test-only-client-secret',
  'not-the-password',
  // web/test/helper.ts
  'test-only-client-secret-0123456789',
  // web/test/oidc-stand-in.ts: the tokens the stand-in provider hands out
  'at',
  'rt',
  // web/test/stripe-stand-in.ts: the stand-in Stripe's API key and webhook signing secret
  'sk_test_stand_in_0123456789',
  'whsec_stand_in_0123456789',
  // workflows/deploy: names the deployment renders next to secret settings (Key Vault secret names,
  // the TLS Secret, a schema file). Names, not values; refused as values all the same, since a
  // secret set to its own name is a mistake.
  'web-session-secret',
  'web-oidc-client-secret',
  'web-stripe-secret-key',
  'web-stripe-webhook-secret',
  'smoke-password',
  'az-shop-tls',
  'ordering',
  'secrets-store.csi.x-k8s.io_secretproviderclass_v1.json',
]);

export function isPublishedSecret(value: string): boolean {
  return PUBLISHED_SECRETS.has(value);
}
