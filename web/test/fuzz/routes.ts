import type { RouteEntry } from '@az-shop/common';
import type { JsonSchema } from './schema-arbitrary';

/** One method of one route of the app, with the request schemas it declared. */
export interface FuzzRoute {
  method: string;
  url: string;
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
}

// DELETE takes its target from the path here, like GET.
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The app's routes, each method apart, with the request schemas they declared (`app.routeTable`). */
export function fuzzRoutes(table: readonly RouteEntry[]): FuzzRoute[] {
  return table.map(({ method, url, schema }) => {
    const declared = (schema ?? {}) as Record<string, JsonSchema | undefined>;
    return {
      method,
      url,
      ...(declared.params && { params: declared.params }),
      ...(declared.querystring && { querystring: declared.querystring }),
      ...(declared.body && { body: declared.body }),
    };
  });
}

/** A path parameter of a route URL: `:name` (captured), or a trailing `*` wildcard. */
export const PATH_PARAMETER = /:([A-Za-z0-9_]+)|\*$/g;

/** Path parameters of a route URL (`:id`, and `*` for a wildcard). */
export function pathParameters(url: string): string[] {
  return [...url.matchAll(PATH_PARAMETER)].map((match) => match[1] ?? '*');
}

/**
 * What a route takes without a schema to generate from: path parameters without `params`, or a body
 * method without `body`. The suite fails on these unless the route is listed with a reason.
 */
export const takesBody = (route: Pick<FuzzRoute, 'method'>) => BODY_METHODS.has(route.method);

export function missingSchemas(route: FuzzRoute): string[] {
  const missing: string[] = [];
  if (pathParameters(route.url).length > 0 && !route.params) missing.push('params');
  if (takesBody(route) && !route.body) missing.push('body');
  return missing;
}

export const routeName = (route: Pick<FuzzRoute, 'method' | 'url'>) => `${route.method} ${route.url}`;
