import type { Document } from 'bson';
import { bsonType, isPlainObject, numberOf } from './bsonUtil.js';
import type { CommandContext } from './commands/context.js';
import { MongoServerError } from './errors.js';

/**
 * Cosmos DB behaviour (`--cosmos`): what Azure Cosmos DB's API for MongoDB refuses in change streams
 * and transactions, refused here too, and its request-rate throttling (16500) injected at a rate.
 * Sources: learn.microsoft.com/azure/cosmos-db/mongodb/change-streams,
 * …/mongodb/use-multi-document-transactions, …/mongodb/error-codes-solutions,
 * …/mongodb/prevent-rate-limiting-errors. Codes are those pages' codes; where Microsoft documents no
 * message the wording is ours and says what Cosmos DB does not support.
 */
export interface CosmosOptions {
  /** Share of commands answered with 16500 TooManyRequests (0..1). Default 0. */
  throttleRate?: number;
  /**
   * Only connections whose driver `appName` starts with one of these are throttled (all when unset):
   * a test throttles the services under test, not its own set-up writes.
   */
  throttleAppNames?: string[];
  /** The `RetryAfterMs` the throttling error names. Default 10. */
  retryAfterMs?: number;
}

/** Cosmos DB's fixed limit on a multi-document transaction. */
export const COSMOS_TXN_LIMIT_MS = 5_000;
const STREAM_OPERATIONS = new Set(['insert', 'update', 'replace']);
const STREAM_FIELDS = new Set(['_id', 'fullDocument', 'ns', 'documentKey']);
/** Handshake, monitoring and cursor/session housekeeping: never throttled (they cost no RUs worth limiting). */
const NOT_THROTTLED = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'endSessions',
  'killCursors',
  'abortTransaction',
  'saslStart',
  'saslContinue',
  'customAction',
]);

function unsupported(message: string): never {
  throw new MongoServerError('CommandNotSupported', `Cosmos DB (dev server --cosmos): ${message}`);
}

/** The `$match` restricts `operationType` to a subset of insert/update/replace (top level or in `$and`). */
function restrictsOperations(match: Document): boolean {
  const op = match.operationType as unknown;
  if (isPlainObject(op) && Array.isArray((op as Document).$in)) {
    const list = (op as Document).$in as unknown[];
    return list.length > 0 && list.every((o) => typeof o === 'string' && STREAM_OPERATIONS.has(o));
  }
  if (typeof op === 'string') return STREAM_OPERATIONS.has(op);
  return (
    Array.isArray(match.$and) &&
    (match.$and as Document[]).some((m) => isPlainObject(m) && restrictsOperations(m))
  );
}

/**
 * Refuses a change stream Cosmos DB would refuse: only on a collection, `fullDocument: 'updateLookup'`,
 * exactly a `$match` limiting `operationType` to insert/update/replace then a `$project` of
 * `_id, fullDocument, ns, documentKey`; no pre-images, no `startAtOperationTime`/`startAfter`, no
 * expanded events. So deletes, cluster times, update descriptions never reach the client.
 */
export function checkCosmosChangeStream(ctx: CommandContext, spec: Document, rest: Document[]): void {
  if (typeof ctx.cmd.aggregate !== 'string') unsupported('change streams are supported on a collection only');
  if (spec.fullDocument !== 'updateLookup')
    unsupported("change streams require fullDocument: 'updateLookup'");
  if (spec.fullDocumentBeforeChange !== undefined && spec.fullDocumentBeforeChange !== 'off')
    unsupported('change streams have no pre-images (fullDocumentBeforeChange)');
  if (spec.startAtOperationTime !== undefined)
    unsupported('change streams cannot start at an operation time');
  if (spec.startAfter !== undefined) unsupported('change streams do not support startAfter');
  if (spec.showExpandedEvents === true) unsupported('change streams have no expanded events');
  const [match, project, ...more] = rest;
  const shaped =
    more.length === 0 &&
    isPlainObject(match?.$match) &&
    restrictsOperations(match!.$match as Document) &&
    isPlainObject(project?.$project) &&
    Object.keys(project!.$project as Document).every((field) => STREAM_FIELDS.has(field));
  if (!shaped) {
    unsupported(
      "change streams require a $match on operationType in ['insert', 'update', 'replace'] followed by a $project of _id, fullDocument, ns and documentKey, and nothing else",
    );
  }
}

/** Throws 16500 for the configured share of commands, as Cosmos DB does when RUs run out. */
export function maybeThrottle(options: CosmosOptions, ctx: CommandContext): void {
  const rate = options.throttleRate ?? 0;
  if (rate <= 0 || NOT_THROTTLED.has(ctx.name)) return;
  const apps = options.throttleAppNames;
  if (apps?.length) {
    const app = (ctx.conn.client?.application as Document | undefined)?.name;
    if (typeof app !== 'string' || !apps.some((prefix) => app.startsWith(prefix))) return;
  }
  if (Math.random() >= rate) return;
  const retryAfter = options.retryAfterMs ?? 10;
  throw new MongoServerError(
    'TooManyRequests',
    `Error=16500, RetryAfterMs=${retryAfter}, Details='Response status code does not indicate success: TooManyRequests (429). Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later.'`,
  );
}

interface TxnScope {
  startedAt: number;
  ns: string | undefined;
}

/** Per transaction: when it started and the one collection it may touch. */
const scopes = new WeakMap<object, TxnScope>();

/**
 * Cosmos DB's transaction limits: a fixed 5 s lifetime (then code 2 "Transaction isn't active") and,
 * on the RU API, one unsharded collection per transaction.
 */
export function checkCosmosTransaction(ctx: CommandContext, txn: object, starting: boolean): void {
  const now = Date.now();
  let scope = scopes.get(txn);
  if (!scope || starting) {
    scope = { startedAt: now, ns: undefined };
    scopes.set(txn, scope);
  }
  if (now - scope.startedAt > COSMOS_TXN_LIMIT_MS) {
    throw new MongoServerError(
      'BadValue',
      "Transaction isn't active: the multi-document transaction exceeded Cosmos DB's fixed 5-second limit.",
    );
  }
  const target = ctx.cmd[ctx.name];
  if (typeof target !== 'string' || ctx.name === 'commitTransaction' || ctx.name === 'abortTransaction')
    return;
  const ns = `${ctx.db}.${target}`;
  scope.ns ??= ns;
  if (scope.ns !== ns) unsupported('multi-document transactions across collections are not supported');
}

/** Cosmos DB's `customAction: 'GetDatabase'` extension command: how `MONGO_FLAVOUR=auto` recognises it. */
export function customAction(ctx: CommandContext): Document {
  if (ctx.cmd.customAction !== 'GetDatabase') unsupported(`customAction ${String(ctx.cmd.customAction)}`);
  return { database: ctx.db, ok: 1 };
}

/** Cosmos DB (RU) creates unique indexes only while the collection is empty. */
export function cosmosUniqueIndexRefused(name: string): never {
  throw new MongoServerError(
    'CannotCreateIndex',
    `Cosmos DB (dev server --cosmos): the unique index ${name} can only be created while the collection is empty`,
  );
}

const INT32_MAX = 2_147_483_647;

/**
 * Cosmos DB (RU) takes TTL from an index on its system field `_ts` only; on any other field it answers
 * BadValue (2) with this message (as observed from the RU API, e.g. node-rate-limiter-flexible#206).
 */
export function checkCosmosTtlIndex(key: Document): void {
  const fields = Object.keys(key);
  if (fields.length !== 1 || fields[0] !== '_ts')
    throw new MongoServerError(
      'BadValue',
      "The 'expireAfterSeconds' option is supported on '_ts' field only.",
    );
}

/**
 * A document's own `ttl` where Cosmos DB counts it: an int32 (or a long or a double without fraction
 * that fits one) that is -1 (never) or positive. Anything else is allowed but has no meaning.
 */
export function documentTtl(value: unknown): number | undefined {
  if (bsonType(value) === 'Decimal128') return undefined;
  const n = numberOf(value);
  if (n === undefined || !Number.isInteger(n) || n > INT32_MAX || (n < 1 && n !== -1)) return undefined;
  return n;
}

/**
 * When a document last written at `writtenAt` (ms) expires under Cosmos DB's TTL (the same logic as
 * its core TTL): after its own `ttl`, else after the `_ts` index's `expireAfterSeconds`; -1 never.
 */
export function cosmosExpiry(writtenAt: number, ttl: unknown, indexSeconds: number): number | undefined {
  const seconds = documentTtl(ttl) ?? indexSeconds;
  return seconds > 0 ? writtenAt + seconds * 1000 : undefined;
}
