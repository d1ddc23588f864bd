import { type HydrationState, isRouteErrorResponse, type StaticHandlerContext } from 'react-router';

/** The `<script type="application/json">` that carries loader data from the server to `hydrateRoot`. */
export const HYDRATION_DATA_ID = 'az-hydration-data';

/** How a value that was a promise (deferred loader data) travels: settled, with its outcome. */
type SettledValue = { $settled: 'resolved'; value: unknown } | { $settled: 'rejected'; message: string };
type SerializedError =
  | { $error: 'route'; status: number; statusText: string; data: unknown; internal: boolean }
  | { $error: 'error'; message: string };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

const JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** JSON that is safe inside a `<script>` element: no `<`, `>` or `&` can close it or open a comment. */
export function escapeJsonForHtml(json: string): string {
  // One pass: every response's root data goes through it (shared-pages.ts personalise).
  return json.replace(/[<>&\u2028\u2029]/g, (char) => JSON_ESCAPES[char] ?? char);
}

const PENDING = Symbol('pending');

/** Settles `value`, or answers PENDING if it has not settled within `waitMs`. */
function settleWithin(value: PromiseLike<unknown>, waitMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise((resolve) => {
    timer = setTimeout(() => resolve(PENDING), waitMs);
  });
  return Promise.race([value, pending]).finally(() => clearTimeout(timer));
}

/**
 * Settles a route's deferred values. They have normally settled by the time React finished
 * streaming; one that has not (the render was aborted) travels as a failure rather than hold the page.
 */
async function settleDeferred(routeData: unknown, waitMs: number): Promise<unknown> {
  if (!routeData || typeof routeData !== 'object' || Array.isArray(routeData)) return routeData;
  const failed: SettledValue = { $settled: 'rejected', message: 'Could not load this part of the page' };
  const entries = await Promise.all(
    Object.entries(routeData).map(async ([key, value]): Promise<[string, unknown]> => {
      if (!isThenable(value)) return [key, value];
      try {
        const settled = await settleWithin(value, waitMs);
        return [
          key,
          settled === PENDING ? failed : ({ $settled: 'resolved', value: settled } satisfies SettledValue),
        ];
      } catch {
        return [key, failed];
      }
    }),
  );
  return Object.fromEntries(entries);
}

function serializeError(error: unknown): SerializedError {
  if (isRouteErrorResponse(error)) {
    const { status, statusText, data, internal } = error as typeof error & { internal: boolean };
    return { $error: 'route', status, statusText, data, internal: internal === true };
  }
  // Server error messages stay on the server (they are logged there).
  return { $error: 'error', message: 'Unexpected Server Error' };
}

/** The router's state for `hydrateRoot`, as escaped JSON; deferred values wait at most `waitMs`. */
export async function serializeHydrationData(context: StaticHandlerContext, waitMs = 1_000): Promise<string> {
  const loaderData: Record<string, unknown> = {};
  for (const [routeId, routeData] of Object.entries(context.loaderData)) {
    loaderData[routeId] = await settleDeferred(routeData, waitMs);
  }
  const errors = context.errors
    ? Object.fromEntries(
        Object.entries(context.errors).map(([routeId, error]) => [routeId, serializeError(error)]),
      )
    : null;
  return escapeJsonForHtml(JSON.stringify({ loaderData, actionData: context.actionData, errors }));
}

function reviveValue(value: unknown): unknown {
  const settled = value as SettledValue | null;
  if (settled?.$settled === 'resolved') return Promise.resolve(settled.value);
  if (settled?.$settled === 'rejected') {
    const rejected = Promise.reject(new Error(settled.message));
    rejected.catch(() => {}); // handled by the page's <Await errorElement>
    return rejected;
  }
  return value;
}

function reviveError(error: SerializedError): unknown {
  if (error.$error === 'route') {
    // react-router's isRouteErrorResponse recognises this shape.
    const { status, statusText, data, internal } = error;
    return { status, statusText, data, internal };
  }
  return new Error(error.message);
}

/** Turns the server's JSON back into the router's hydration state: deferred values become promises again. */
export function reviveHydrationData(json: string | null | undefined): HydrationState | undefined {
  if (!json) return undefined;
  const parsed = JSON.parse(json) as {
    loaderData: Record<string, unknown>;
    actionData: Record<string, unknown> | null;
    errors: Record<string, SerializedError> | null;
  };
  const loaderData = Object.fromEntries(
    Object.entries(parsed.loaderData).map(([routeId, routeData]) => [
      routeId,
      routeData && typeof routeData === 'object' && !Array.isArray(routeData)
        ? Object.fromEntries(Object.entries(routeData).map(([key, value]) => [key, reviveValue(value)]))
        : routeData,
    ]),
  );
  const errors = parsed.errors
    ? Object.fromEntries(
        Object.entries(parsed.errors).map(([routeId, error]) => [routeId, reviveError(error)]),
      )
    : null;
  return { loaderData, actionData: parsed.actionData, errors };
}
