import { baseConfigProperties } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { factoryConfigProperties } from '../../../factory/src/config';
import { isCredential } from '../../../infra/runbook-settings';
import { orderingConfigProperties } from '../../../ordering/src/config';
import { webConfigSchema } from '../../../web/src/config';
import { OCCASIONAL_SECRETS, SECRETS } from './identity-and-secrets';
import { SERVICES } from './values';

/** The variables each service's config schema reads. */
const READS = {
  web: Object.keys(webConfigSchema.properties),
  factory: Object.keys({ ...baseConfigProperties, ...factoryConfigProperties }),
  ordering: Object.keys({ ...baseConfigProperties, ...orderingConfigProperties }),
};

describe.each(SERVICES)("%s's Key Vault secrets", (service) => {
  it('are the credentials its config reads, each read by it', () => {
    const secrets = Object.keys(SECRETS[service]);
    const credentials = READS[service].filter(isCredential);
    expect([...secrets, ...(OCCASIONAL_SECRETS[service] ?? [])].sort()).toEqual(credentials.sort());
  });

  it('have Key Vault names (letters, digits, dashes) of their own', () => {
    for (const name of Object.values(SECRETS[service]))
      expect(name).toMatch(new RegExp(`^${service}-[a-z0-9-]+$`));
  });
});
