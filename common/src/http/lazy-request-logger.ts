import type { FastifyBaseLogger } from 'fastify';
import { type Bindings, type ChildLoggerOptions, type Level, levels } from 'pino';

/** What a log method takes: an object or a message first, then the message and its arguments. */
type LogArgs = [objOrMsg: unknown, msg?: string, ...args: unknown[]];

/**
 * A request's logger, made on its first line. Most requests write none (`ACCESS_LOG=problems`),
 * and pino's `child` serialises the request id into a new logger when it is made: about 0.65 µs of a
 * cached JSON answer's 38 (docs/performance.md). A line at a level the logger would drop makes
 * nothing; any other use (a line, `child`, setting `level`) makes the real child and goes to it.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  fatal(...args: LogArgs): void {
    this.#log('fatal', args);
  }
  error(...args: LogArgs): void {
    this.#log('error', args);
  }
  warn(...args: LogArgs): void {
    this.#log('warn', args);
  }
  info(...args: LogArgs): void {
    this.#log('info', args);
  }
  debug(...args: LogArgs): void {
    this.#log('debug', args);
  }
  trace(...args: LogArgs): void {
    this.#log('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }

  #made(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #log(level: Level, args: LogArgs): void {
    // `silent` and unknown levels have no value: nothing is written at them.
    if (!this.#child && levels.values[level]! < (levels.values[this.level] ?? Number.POSITIVE_INFINITY))
      return;
    const logger = this.#made();
    // pino's overloads cannot be called with a spread tuple; the arguments are the caller's, as given.
    (logger[level] as (...args: LogArgs) => void).apply(logger, args);
  }
}

/** Fastify's `childLoggerFactory`: each request's logger is made lazily (see LazyRequestLogger). */
export function lazyRequestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options);
}
