/** The browser's calls to the app's JSON API: CSRF token, errors as `ApiError`, JSON bodies. */
import type { SessionView } from '../ui/data';

/** An answer of the API that is not a success, with its HTTP status and `{ error, message, details }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: string;
  message?: string;
  details?: unknown;
}

let csrfToken: Promise<string> | undefined;

/** Keeps the token a fresh session read brought (the next change needs no extra request). */
export function rememberCsrfToken(token: string): void {
  csrfToken = Promise.resolve(token);
}

/** The session's CSRF token, fetched once (lazily) and kept; forgotten when the API refuses it. */
function csrf(): Promise<string> {
  csrfToken ??= getJson<SessionView>('/api/session').then((session) => session.csrfToken);
  csrfToken.catch(() => {
    csrfToken = undefined;
  });
  return csrfToken;
}

export async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  return new ApiError(
    response.status,
    body.error ?? 'HTTP_ERROR',
    body.message ?? `The server answered ${response.status}`,
    body.details,
  );
}

export async function call(method: string, url: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'GET') return fetch(url, { headers, credentials: 'same-origin' });
  // A file goes as it is (the image upload); anything else as JSON.
  const raw = body instanceof Blob;
  if (body !== undefined)
    headers['content-type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
  const send = async () =>
    fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { ...headers, 'x-csrf-token': await csrf() },
      ...(body !== undefined && { body: raw ? body : JSON.stringify(body) }),
    });
  const response = await send();
  if (response.status !== 403) return response;
  const refused = (await response
    .clone()
    .json()
    .catch(() => ({}))) as ErrorBody;
  if (!refused.error?.includes('CSRF')) return response;
  // The session changed since the token was fetched (signed in in another tab): one fresh try.
  csrfToken = undefined;
  return send();
}

export async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return json<T>(await call('GET', url));
}

/** null for a 404, else the body (or the thrown ApiError). */
export async function getOrNull<T>(url: string): Promise<T | null> {
  const response = await call('GET', url);
  if (response.status === 404) return null;
  return json<T>(response);
}
