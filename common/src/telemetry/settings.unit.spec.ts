import { describe, expect, it } from 'vitest';
import { localStoreOnly, serviceNameOf, traceStoreUri, tracingEnabled } from './settings';

describe('tracingEnabled', () => {
  it('given no OTEL_* variable, then tracing is off', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_SERVICE_NAME: 'web' })).toBe(false);
  });

  it('given an exporter or an OTLP endpoint, then it is on', () => {
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console, otlp' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
  });

  it('given exporter none or the SDK disabled, then it is off whatever else is set', () => {
    expect(
      tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  });
});

describe('serviceNameOf', () => {
  it('prefers OTEL_SERVICE_NAME, then the started workspace, then SERVICE', () => {
    expect(serviceNameOf({ OTEL_SERVICE_NAME: 'shop-web' }, '/app/web/dist/main.js')).toBe('shop-web');
    expect(serviceNameOf({}, '/app/ordering/dist/main.js')).toBe('ordering');
    expect(serviceNameOf({ SERVICE: 'factory' }, '/app/src/main.ts')).toBe('factory');
    expect(serviceNameOf({}, undefined)).toBe('az-shop');
  });
});

describe('traceStoreUri', () => {
  const MONGO_DB = 'mongodb://127.0.0.1:27017/azshop?replicaSet=rs0';

  it('given TRACE_STORE=mongo outside production, then spans go to the services’ database, and tracing is on', () => {
    expect(traceStoreUri({ TRACE_STORE: 'mongo', MONGO_DB, NODE_ENV: 'development' })).toBe(MONGO_DB);
    expect(tracingEnabled({ TRACE_STORE: 'mongo', MONGO_DB })).toBe(true);
  });

  it('given production, no TRACE_STORE or no database, then there is no local store', () => {
    expect(traceStoreUri({ TRACE_STORE: 'mongo', MONGO_DB, NODE_ENV: 'production' })).toBeUndefined();
    expect(traceStoreUri({ MONGO_DB })).toBeUndefined();
    expect(traceStoreUri({ TRACE_STORE: 'mongo' })).toBeUndefined();
    expect(tracingEnabled({ TRACE_STORE: 'mongo', MONGO_DB, OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});

describe('localStoreOnly', () => {
  const MONGO_DB = 'mongodb://127.0.0.1:27017/azshop?replicaSet=rs0';

  it('given the local store and no exporter, then the store is the only destination', () => {
    expect(localStoreOnly({ TRACE_STORE: 'mongo', MONGO_DB, NODE_ENV: 'development' })).toBe(true);
    expect(localStoreOnly({ TRACE_STORE: 'mongo', MONGO_DB, OTEL_TRACES_EXPORTER: 'none' })).toBe(true);
  });

  it('given an exporter or endpoint beside it, production, or tracing off, then not', () => {
    expect(localStoreOnly({ TRACE_STORE: 'mongo', MONGO_DB, OTEL_TRACES_EXPORTER: 'console' })).toBe(false);
    expect(
      localStoreOnly({
        TRACE_STORE: 'mongo',
        MONGO_DB,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      }),
    ).toBe(false);
    expect(localStoreOnly({ TRACE_STORE: 'mongo', MONGO_DB, NODE_ENV: 'production' })).toBe(false);
    expect(localStoreOnly({ TRACE_STORE: 'mongo', MONGO_DB, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(localStoreOnly({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });
});
