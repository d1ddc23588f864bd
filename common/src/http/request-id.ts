import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a request's id comes in on (from the ingress or a calling client) and goes back out on. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Long enough for a UUID, a ULID or a W3C trace id with a prefix; short enough to keep logs small. */
export const MAX_REQUEST_ID_LENGTH = 128;
const SAFE_ID = /^[A-Za-z0-9._:-]+$/;

/**
 * The caller's request id if it is one we may log and echo (bounded, letters, digits and `._:-`
 * only: nothing that could split a log line or a header), else undefined.
 */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  if (header.length === 0 || header.length > MAX_REQUEST_ID_LENGTH) return undefined;
  return SAFE_ID.test(header) ? header : undefined;
}

/** Fastify's `genReqId`: the caller's id when acceptable, else a new random UUID. */
export function requestIdOf(request: IncomingMessage): string {
  return acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
}
