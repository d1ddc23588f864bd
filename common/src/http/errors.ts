import createError from '@fastify/error';

/**
 * Every application error code lives here, made with @fastify/error: a code, a message template
 * and an HTTP status. The error handler maps them to `{ error, message, details? }` once, at the edge.
 */
export const Errors = {
  NotFound: createError('NOT_FOUND', '%s not found', 404),
  Validation: createError('VALIDATION_FAILED', '%s', 400),
  Conflict: createError('CONFLICT', '%s', 409),
  Forbidden: createError('FORBIDDEN', '%s', 403),
  Unauthorized: createError('UNAUTHORIZED', 'Sign in to continue', 401),
  PreconditionFailed: createError('PRECONDITION_FAILED', '%s', 412),
  NotReady: createError('NOT_READY', '%s', 503),
  RateLimited: createError('RATE_LIMITED', '%s', 429),
  PayloadTooLarge: createError('PAYLOAD_TOO_LARGE', '%s', 413),
  UnsupportedMediaType: createError('UNSUPPORTED_MEDIA_TYPE', '%s', 415),
} as const;

/** An error that carries structured `details` for the response body (e.g. which fields failed). */
export interface DetailedError extends Error {
  details?: unknown;
}

export function withDetails<E extends Error>(error: E, details: unknown): E & DetailedError {
  return Object.assign(error, { details });
}
