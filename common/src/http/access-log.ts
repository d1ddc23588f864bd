import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** The settings (`ACCESS_LOG`, `ACCESS_LOG_SLOW_MS`, base config) deciding which requests are logged. */
export interface AccessLogSettings {
  ACCESS_LOG: 'all' | 'problems';
  ACCESS_LOG_SLOW_MS: number;
}

/** Absent settings (a service's tests, a tool): every request logged, as Fastify does. */
const EVERY_REQUEST: AccessLogSettings = { ACCESS_LOG: 'all', ACCESS_LOG_SLOW_MS: 0 };

/** Whether an answered request is worth an info line under `problems`: refused, failed or slow. */
function isProblem(statusCode: number, elapsedMs: number, slowMs: number): boolean {
  return statusCode >= 400 || elapsedMs > slowMs;
}

/**
 * One log line per request, when it completes (method, URL, status, time), instead of Fastify's two
 * (the line on arrival said nothing the completed one does not). Errors and stream failures are
 * logged as Fastify does. Under `ACCESS_LOG=problems` a fast successful answer's line is at debug:
 * at info its formatting was the largest part of a cached answer's own cost (docs/performance.md),
 * and the ingress logs every request and `http_request_duration_seconds` counts it.
 */
export class AccessLog extends LogController {
  readonly #settings: AccessLogSettings;

  constructor(settings: AccessLogSettings = EVERY_REQUEST) {
    super();
    this.#settings = settings;
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const { statusCode, elapsedTime } = reply;
    const info =
      this.#settings.ACCESS_LOG === 'all' ||
      isProblem(statusCode, elapsedTime, this.#settings.ACCESS_LOG_SLOW_MS);
    // Plain fields rather than pino's req/res serializers: a few strings to write, nothing to build.
    const line = { method: request.method, url: request.url, statusCode, responseTime: elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (info) reply.log.info(line, 'request completed');
    else reply.log.debug(line, 'request completed');
  }
}
