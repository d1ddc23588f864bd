import { Type } from 'typebox';

/** Variables every service reads; each service spreads these into its own schema. */
export const baseConfigProperties = {
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /**
   * Which answered requests get an info line (docs/architecture.md, "Every request"): `problems`
   * logs 4xx, 5xx and slow ones and puts the rest at debug, as the ingress logs every request and
   * `http_request_duration_seconds` counts each one; `all` logs every one.
   */
  ACCESS_LOG: Type.Union([Type.Literal('problems'), Type.Literal('all')], {
    default: 'problems',
    description:
      'problems: only 4xx, 5xx and slow requests are logged at info (the rest at debug); all: every request',
  }),
  /** An answer that took longer than this (ms) is logged under `ACCESS_LOG=problems` too. */
  ACCESS_LOG_SLOW_MS: Type.Number({ minimum: 0, default: 1000 }),
  MONGO_DB: Type.String({ pattern: '^mongodb(\\+srv)?://', description: 'MongoDB connection string' }),
  /** Which server MONGO_DB is: processors open Cosmos DB-shaped change streams in `cosmos` (docs/processor.md). */
  MONGO_FLAVOUR: Type.Union([Type.Literal('auto'), Type.Literal('mongo'), Type.Literal('cosmos')], {
    default: 'auto',
    description:
      'mongo, cosmos (Azure Cosmos DB for MongoDB, RU or vCore) or auto: recognised from the host name, else the server',
  }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** Set on each colour of a blue-green release: processors run only while theirs is the active colour. */
  RELEASE_COLOUR: Type.Optional(Type.Union([Type.Literal('blue'), Type.Literal('green')])),
  /** Lease buckets of every processor: the most instances that share one; fixed across a blue-green pair. */
  PROCESSOR_BUCKETS: Type.Integer({ minimum: 1, maximum: 1024, default: 16 }),
  /** Readiness of a processor fails while its lag is over this (seconds); 0: lag never fails it. */
  PROCESSOR_MAX_LAG_SECONDS: Type.Number({ minimum: 0, default: 0 }),
  /** Dev only: `mongo` keeps the spans in `trace_spans` (docs/observability.md); production refuses it. */
  TRACE_STORE: Type.Optional(
    Type.String({
      description: 'mongo: spans stored in the database for the back office (development only)',
    }),
  ),
  // No default: absent, the main port serves health and metrics too (one service run on its own).
  // `npm start` gives each service its own (pm2.config.js); production requires it.
  INTERNAL_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description:
        'Port of /healthz, /readyz with details and /metrics, which no ingress exposes; 0 picks a free one',
    }),
  ),
};
