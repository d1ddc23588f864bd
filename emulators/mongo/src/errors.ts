import type { Document } from 'bson';

/** mongod error codes we answer with (name → code), so replies carry the same codeName as mongod. */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  NoMatchingDocument: 47,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  CommandNotFound: 59,
  PathNotViable: 28,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  DocumentValidationFailure: 121,
  CommandNotSupported: 115,
  GraphContainsCycle: 5,
  ViewDepthLimitExceeded: 165,
  CommandNotSupportedOnView: 166,
  OptionNotSupportedOnView: 167,
  IncompatibleCollationVersion: 240,
  ConflictingOperationInProgress: 117,
  InvalidIndexSpecificationOption: 197,
  NoSuchSession: 206,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  InvalidResumeToken: 260,
  TransactionCommitted: 256,
  OperationNotSupportedInTransaction: 263,
  ChangeStreamFatalError: 280,
  ChangeStreamHistoryLost: 286,
  Location40324: 40324,
  Location31254: 31254,
  Location40323: 40323,
  Location40415: 40415,
  DuplicateKey: 11000,
  /** Cosmos DB's request-rate throttling (`--cosmos` with a throttle rate). */
  TooManyRequests: 16500,
  BSONObjectTooLarge: 10334,
  Location17419: 17419,
  UnknownError: 8,
  OperationFailed: 96,
  InterruptedAtShutdown: 91,
  NotWritablePrimary: 10107,
  Unauthorized: 13,
  InvalidPipelineOperator: 168,
  Location40352: 40352,
  Location15958: 15958,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes | `Location${number}`;

/** An error that is answered to the client as `{ok: 0, code, codeName, errmsg}`. */
export class MongoServerError extends Error {
  readonly code: number;
  readonly codeName: string;
  errorLabels: string[] = [];
  extra: Document = {};
  constructor(codeName: ErrorCodeName, message: string, extra?: Document) {
    super(message);
    this.code = codeName.startsWith('Location')
      ? Number(codeName.slice(8))
      : ErrorCodes[codeName as keyof typeof ErrorCodes];
    this.codeName = codeName.startsWith('Location') ? '' : codeName;
    if (extra) this.extra = extra;
  }
  withLabel(label: string): this {
    if (!this.errorLabels.includes(label)) this.errorLabels.push(label);
    return this;
  }
  toReply(): Document {
    const reply: Document = { ok: 0, errmsg: this.message, code: this.code };
    if (this.codeName) reply.codeName = this.codeName;
    Object.assign(reply, this.extra);
    if (this.errorLabels.length) reply.errorLabels = this.errorLabels;
    return reply;
  }
}

export function fail(codeName: ErrorCodeName, message: string, extra?: Document): never {
  throw new MongoServerError(codeName, message, extra);
}

export function unsupported(feature: string): never {
  throw new MongoServerError(
    'CommandNotSupported',
    `${feature} is not supported by the az-shop mongo emulator (see emulators/mongo/README.md)`,
  );
}

/** Converts anything thrown (mingo errors, our own errors) to a MongoServerError. */
export function toServerError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'BSONError') return new MongoServerError('BadValue', message);
  // mingo's messages for unknown operators, mapped to mongod's codes and wording.
  let m = /unregistered pipeline operator (\$\w+)/.exec(message);
  if (m) return new MongoServerError('Location40324', `Unrecognized pipeline stage name: '${m[1]}'`);
  m = /(?:accumulator|expression|operator) '?(\$\w+)'? is not registered/.exec(message);
  if (m) return new MongoServerError('InvalidPipelineOperator', `Unrecognized expression '${m[1]}'`);
  m = /unknown query operator (\$\w+)/.exec(message);
  if (m) return new MongoServerError('BadValue', `unknown operator: ${m[1]}`);
  // mingo reports bad operators/expressions with plain errors: those are client mistakes, not server faults.
  if (
    err instanceof Error &&
    (err.constructor.name === 'MingoError' || /operator|unknown|invalid/i.test(message))
  ) {
    return new MongoServerError('BadValue', message);
  }
  return new MongoServerError('InternalError', message);
}
