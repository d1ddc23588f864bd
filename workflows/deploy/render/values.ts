// Release values: production.json (shared) and colour-<colour>.json (per-colour env), validated
// with typebox so a typo in a values file stops the render with the field's path, not a bad object.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseConfigProperties } from '@az-shop/common/config/base-config';
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';

export const COLOURS = ['blue', 'green'] as const;
export type Colour = (typeof COLOURS)[number];
export const SERVICES = ['web', 'factory', 'ordering'] as const;
export type Service = (typeof SERVICES)[number];
export type Processor = Exclude<Service, 'web'>;
export const PROCESSORS: readonly Processor[] = ['factory', 'ordering'];

export const DEFAULT_VALUES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'values',
  'production.json',
);

const Quantity = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi)?$' });
const Resources = Type.Object(
  {
    requests: Type.Object({ cpu: Quantity, memory: Quantity }, { additionalProperties: false }),
    limits: Type.Object({ cpu: Quantity, memory: Quantity }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
const Env = Type.Record(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), Type.String());
const Seconds = Type.Integer({ minimum: 1, maximum: 3600 });

const Pod = {
  resources: Resources,
  /** preStop sleep: how long a stopping pod keeps serving while endpoints and routes drop it. */
  drainSeconds: Seconds,
  terminationGracePeriodSeconds: Seconds,
  env: Env,
};

const ProductionSchema = Type.Object(
  {
    namespace: Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    registry: Type.String({ pattern: '^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$' }),
    hosts: Type.Object(
      {
        shop: Type.String({ pattern: '^[a-z0-9.-]+$' }),
        preview: Type.String({ pattern: '^[a-z0-9.-]+$' }),
      },
      { additionalProperties: false },
    ),
    tls: Type.Object(
      {
        clusterIssuer: Type.String({ minLength: 1 }),
        acmeServer: Type.String({ pattern: '^https://' }),
        email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }),
        secretName: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    azure: Type.Object(
      {
        tenantId: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
        identityClientId: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
        keyVaultName: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$' }),
        /** Query endpoint of the Azure Monitor workspace (managed Prometheus) KEDA reads. */
        prometheusQueryEndpoint: Type.String({ pattern: '^https://' }),
      },
      { additionalProperties: false },
    ),
    /** Partition buckets of the processors (PROCESSOR_BUCKETS, its bounds): no more busy replicas than buckets. */
    processorBuckets: baseConfigProperties.PROCESSOR_BUCKETS,
    web: Type.Object(
      { ...Pod, minReplicas: Type.Integer({ minimum: 2 }), maxReplicas: Type.Integer({ minimum: 2 }) },
      { additionalProperties: false },
    ),
    factory: Type.Object(
      { ...Pod, maxReplicas: Type.Integer({ minimum: 1 }), lagTargetSeconds: Seconds },
      { additionalProperties: false },
    ),
    ordering: Type.Object(
      { ...Pod, maxReplicas: Type.Integer({ minimum: 1 }), lagTargetSeconds: Seconds },
      { additionalProperties: false },
    ),
    /** Traces: the services' head sampling and the OpenTelemetry Collector they export to (otel-collector.ts). */
    tracing: Type.Object(
      {
        /** OTEL_TRACES_SAMPLER_ARG of parentbased_traceidratio: the share of new traces kept. */
        sampleRatio: Type.Number({ minimum: 0, maximum: 1 }),
        collector: Type.Object(
          {
            /** Repository of the contrib image (the azuremonitor exporter is in contrib only). */
            image: Type.String({ pattern: '^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$' }),
            /** A version tag, never latest. */
            tag: Type.String({ pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' }),
            digest: Type.Optional(Type.String({ pattern: '^sha256:[a-f0-9]{64}$' })),
            replicas: Type.Integer({ minimum: 2, maximum: 10 }),
            resources: Resources,
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    analysis: Type.Object(
      {
        resources: Resources,
        smokeDeadlineSeconds: Seconds,
        handoverDeadlineSeconds: Seconds,
        ttlSecondsAfterFinished: Type.Integer({ minimum: 60, maximum: 604_800 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const ColourSchema = Type.Object(
  {
    /** Per-colour env by service (e.g. STOCK_RETIRE_OUTPUTS while an older release runs beside). */
    env: Type.Object(
      { web: Type.Optional(Env), factory: Type.Optional(Env), ordering: Type.Optional(Env) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type ProductionValues = Static<typeof ProductionSchema>;
export type ColourValues = Static<typeof ColourSchema>;
export interface Values extends ProductionValues {
  colourEnv: ColourValues['env'];
}

export class ValuesError extends Error {
  override name = 'ValuesError';
}

function check<T>(schema: TSchema, data: unknown, file: string): T {
  if (Value.Check(schema, data)) return data as T;
  const problems = [...Value.Errors(schema, data)].map(
    (error) => `${error.instancePath || '/'} ${error.message}`,
  );
  throw new ValuesError(`${file}: ${problems.join('; ')}`);
}

/** Cross-field rules the schema cannot say. */
function problemsOf(values: ProductionValues): string[] {
  const problems: string[] = [];
  for (const service of SERVICES) {
    const pod = values[service];
    if (pod.drainSeconds >= pod.terminationGracePeriodSeconds)
      problems.push(`${service}.drainSeconds must be shorter than terminationGracePeriodSeconds`);
  }
  if (values.web.maxReplicas < values.web.minReplicas)
    problems.push('web.maxReplicas must be at least web.minReplicas');
  for (const processor of PROCESSORS)
    if (values[processor].maxReplicas > values.processorBuckets)
      problems.push(
        `${processor}.maxReplicas must not exceed processorBuckets (a replica without a bucket idles)`,
      );
  if (values.hosts.shop === values.hosts.preview) problems.push('hosts.shop and hosts.preview must differ');
  return problems;
}

export function parseValues(production: unknown, colour: unknown, files = ['production', 'colour']): Values {
  const base = check<ProductionValues>(ProductionSchema, production, files[0] ?? 'production');
  const overlay = check<ColourValues>(ColourSchema, colour, files[1] ?? 'colour');
  const problems = problemsOf(base);
  if (problems.length > 0) throw new ValuesError(`${files[0]}: ${problems.join('; ')}`);
  return { ...base, colourEnv: overlay.env };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValuesError(`${file}: ${(error as Error).message}`);
  }
}

/** The production values file and, beside it, colour-<colour>.json. */
export function loadValues(colour: Colour, file = DEFAULT_VALUES_FILE): Values {
  const colourFile = join(dirname(file), `colour-${colour}.json`);
  return parseValues(readJson(file), readJson(colourFile), [file, colourFile]);
}
