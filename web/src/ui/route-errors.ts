import { data, redirectDocument } from 'react-router';

/** The HTTP status an error from `StorefrontData` carries (401, 404, 409…), if any. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Sign-in is a server route outside the route tree: always a full document load. */
export function signInUrl(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

export function redirectToSignIn(request: Request): Response {
  const url = new URL(request.url);
  return redirectDocument(signInUrl(`${url.pathname}${url.search}`));
}

export function notFound(): never {
  throw data(null, { status: 404, statusText: 'Not Found' });
}

/**
 * Runs a loader's or action's read and turns the errors every page treats alike into route
 * answers: 401 → sign in and come back here, 404 → the not-found page. Others propagate.
 */
export async function orRouteError<T>(request: Request, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) throw redirectToSignIn(request);
    if (status === 404) notFound();
    throw error;
  }
}
