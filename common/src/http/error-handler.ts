import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isThrottled, retryAfterMs } from '../mongo/throttling';
import type { DetailedError } from './errors';

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Seconds for a `Retry-After` header: set when trying again later is the remedy. */
  retryAfterSeconds?: number;
}

/** Maps an error to its status and body; 5xx never reveal their message or stack. */
export function toErrorResponse(error: FastifyError & DetailedError): ErrorResponse {
  // Cosmos DB's throttling (16500) is load, not a fault: nothing was written, so the client may retry.
  if (isThrottled(error)) {
    return {
      status: 503,
      body: { error: 'THROTTLED', message: 'The shop is busy right now: try again in a moment' },
      retryAfterSeconds: Math.max(1, Math.ceil((retryAfterMs(error) ?? 0) / 1000)),
    };
  }
  if (error.validation) {
    return {
      status: 400,
      body: {
        error: 'VALIDATION_FAILED',
        message: error.message,
        details: error.validation.map((v) => ({
          path: v.instancePath,
          message: v.message,
          params: v.params,
        })),
      },
    };
  }
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) {
    return {
      status,
      body: { error: status === 503 ? 'NOT_READY' : 'INTERNAL', message: 'Internal Server Error' },
    };
  }
  const body: ErrorBody = { error: error.code ?? 'BAD_REQUEST', message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return { status, body };
}

/** The one error handler of every service, plus a JSON 404 for unknown routes. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError & DetailedError, request, reply) => {
      const { status, body, retryAfterSeconds } = toErrorResponse(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: body.error, message: body.message }, 'request rejected');
      if (retryAfterSeconds !== undefined) reply.header('retry-after', retryAfterSeconds);
      return reply.status(status).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      const body: ErrorBody = {
        error: 'NOT_FOUND',
        message: `Route ${request.method} ${request.url} not found`,
      };
      return reply.status(404).send(body);
    });
  },
  { name: 'az-shop-error-handler' },
);
