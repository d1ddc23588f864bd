import { describe, expect, it } from 'vitest';
import {
  azureStorageConnectionString,
  devOnlyValue,
  mongoConnectionString,
  productionProblems,
  publicHttpsUrls,
  requiredInProduction,
  secrets,
} from '../../src/config';
import { baseProductionRules } from '../../src/config/production-rules';

const strong = 'Zq8vN3kT5xW1mR7yB4cH9jL2pD6fG0sAe5Ku';
const azuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('secrets', () => {
  const rule = secrets('SESSION_SECRET', 'OIDC_CLIENT_SECRET');

  it('given values published in the repository, then each is refused by name', () => {
    expect(
      rule({
        SESSION_SECRET: 'dev-only-session-secret-change-me-0123456789',
        OIDC_CLIENT_SECRET: 'test-only-client-secret-0123456789',
      }),
    ).toEqual([
      'SESSION_SECRET is a value published in the repository',
      'OIDC_CLIENT_SECRET is a value published in the repository',
    ]);
  });

  it('given a weak secret, then the reason is given without the value', () => {
    expect(rule({ SESSION_SECRET: 'x'.repeat(40) })).toEqual([
      'SESSION_SECRET is too weak: too predictable: an entropy estimate of 0 bits, under 90',
    ]);
  });

  it('given strong secrets or absent optional ones, then nothing', () => {
    expect(rule({ SESSION_SECRET: strong })).toEqual([]);
  });
});

describe('publicHttpsUrls', () => {
  const rule = publicHttpsUrls('OIDC_ISSUER', 'WEB_BASE_URL');

  it.each([
    ['http://login.example.com', 'plain http'],
    ['https://127.0.0.1:4400', 'a loopback dev issuer'],
    ['https://localhost', 'localhost'],
    ['https://[::1]:8443', 'IPv6 loopback'],
    ['not a url', 'not a URL'],
  ])('given %s (%s), then it is refused', (issuer) => {
    expect(rule({ OIDC_ISSUER: issuer, WEB_BASE_URL: 'https://shop.example.com' })).toEqual([
      `OIDC_ISSUER must be an https URL on a public host (got ${JSON.stringify(issuer)})`,
    ]);
  });

  it('given https URLs on public hosts, then nothing', () => {
    expect(
      rule({
        OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
        WEB_BASE_URL: 'https://shop.example.com',
      }),
    ).toEqual([]);
  });
});

describe('devOnlyValue', () => {
  it('given the dev value, then it is refused with the reason; any other value passes', () => {
    const rule = devOnlyValue('PAYMENT_PROVIDER', 'dev', 'it authorizes the public test card');
    expect(rule({ PAYMENT_PROVIDER: 'dev' })).toEqual([
      'PAYMENT_PROVIDER=dev is for development: it authorizes the public test card',
    ]);
    expect(rule({ PAYMENT_PROVIDER: 'stripe' })).toEqual([]);
  });
});

describe('azureStorageConnectionString', () => {
  const rule = azureStorageConnectionString('AZURE_STORAGE_CONNECTION_STRING');
  const check = (value: string) => rule({ AZURE_STORAGE_CONNECTION_STRING: value });

  it("given Azurite's development account, then every dev trait is named", () => {
    expect(
      check(
        `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${azuriteKey};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`,
      ),
    ).toEqual([
      "AZURE_STORAGE_CONNECTION_STRING is Azurite's development account",
      'AZURE_STORAGE_CONNECTION_STRING has an AccountKey published in the repository',
      'AZURE_STORAGE_CONNECTION_STRING uses http: production storage is reached over https',
    ]);
  });

  it('given UseDevelopmentStorage, then it is refused', () => {
    expect(check('UseDevelopmentStorage=true')).toEqual([
      "AZURE_STORAGE_CONNECTION_STRING is Azurite's development storage",
    ]);
  });

  it('given an http endpoint on a real account, then it is refused', () => {
    expect(
      check(`AccountName=shop;AccountKey=${strong}==;BlobEndpoint=http://shop.blob.core.windows.net;`),
    ).toEqual(['AZURE_STORAGE_CONNECTION_STRING uses http: production storage is reached over https']);
  });

  it('given a real account over https or a SAS, then nothing', () => {
    expect(
      check(
        `DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=${strong}==;EndpointSuffix=core.windows.net`,
      ),
    ).toEqual([]);
    expect(
      check('BlobEndpoint=https://shop.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=abc'),
    ).toEqual([]);
  });
});

describe('mongoConnectionString', () => {
  const rule = mongoConnectionString('MONGO_DB');
  const check = (value: string) => rule({ MONGO_DB: value });

  it('given the local dev replica set, then it lacks credentials (TLS is not needed on loopback)', () => {
    expect(check('mongodb://127.0.0.1:27017/azshop?replicaSet=rs0')).toEqual([
      'MONGO_DB has no credentials: a production database asks for a password or an authMechanism',
    ]);
  });

  it('given a remote set without TLS, then it is refused', () => {
    expect(
      check(`mongodb://shop:${strong}@db1.internal:27017,db2.internal:27017/azshop?replicaSet=rs0`),
    ).toEqual(['MONGO_DB does not use TLS (tls=true, or mongodb+srv://)']);
  });

  it('given a published password or certificate checks off, then each is refused', () => {
    expect(
      check('mongodb+srv://shop:admin-password@cluster0.example.net/azshop?tlsAllowInvalidCertificates=true'),
    ).toEqual([
      'MONGO_DB has a password published in the repository',
      'MONGO_DB turns TLS certificate checks off',
    ]);
  });

  it('given mongodb+srv with tls=false, then it is refused', () => {
    expect(check(`mongodb+srv://shop:${strong}@cluster0.example.net/azshop?tls=false`)).toEqual([
      'MONGO_DB does not use TLS (tls=true, or mongodb+srv://)',
    ]);
  });

  it('given Atlas, Cosmos DB or X.509, then nothing', () => {
    expect(check(`mongodb+srv://shop:${strong}@cluster0.example.net/azshop`)).toEqual([]);
    expect(
      check(
        `mongodb://shop:${strong}@shop.mongo.cosmos.azure.com:10255/?ssl=true&replicaSet=globaldb&retrywrites=false&appName=@shop@`,
      ),
    ).toEqual([]);
    expect(check('mongodb://db.internal:27017/azshop?tls=true&authMechanism=MONGODB-X509')).toEqual([]);
  });
});

describe('requiredInProduction', () => {
  it('given the variable absent, then it is refused with the reason; any value passes, 0 too', () => {
    const rule = requiredInProduction('INTERNAL_PORT', 'probes need it');
    expect(rule({})).toEqual(['INTERNAL_PORT is required: probes need it']);
    expect(rule({ INTERNAL_PORT: 9464 })).toEqual([]);
    expect(rule({ INTERNAL_PORT: 0 })).toEqual([]);
  });

  it('given no INTERNAL_PORT, then the rules every service runs refuse it', () => {
    const secureMongo = `mongodb+srv://shop:${strong}@cluster0.example.net/azshop`;
    expect(productionProblems({ MONGO_DB: secureMongo }, baseProductionRules)).toEqual([
      'INTERNAL_PORT is required: without it the main port, which the ingress exposes, would serve readiness details and metrics',
    ]);
    expect(productionProblems({ MONGO_DB: secureMongo, INTERNAL_PORT: 9464 }, baseProductionRules)).toEqual(
      [],
    );
  });

  it('given TRACE_STORE=mongo (any case), then the rules every service runs refuse the dev-only span store', () => {
    const secureMongo = `mongodb+srv://shop:${strong}@cluster0.example.net/azshop`;
    const base = { MONGO_DB: secureMongo, INTERNAL_PORT: 9464 };
    for (const value of ['mongo', ' Mongo ']) {
      expect(productionProblems({ ...base, TRACE_STORE: value }, baseProductionRules)).toEqual([
        expect.stringMatching(/^TRACE_STORE=mongo is for development: /),
      ]);
    }
    expect(productionProblems({ ...base, TRACE_STORE: 'none' }, baseProductionRules)).toEqual([]);
  });
});

describe('productionProblems', () => {
  it('runs every rule in order and skips absent variables', () => {
    const rules = [secrets('STRIPE_SECRET_KEY'), devOnlyValue('DEMO_SEED', true, 'demo data')];
    expect(productionProblems({ DEMO_SEED: true }, rules)).toEqual([
      'DEMO_SEED=true is for development: demo data',
    ]);
  });
});
