import type { RouteOptions } from 'fastify';
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

/** Records the app's routes as they are declared (pass `record` as buildApp's `onRoute`). */
export function routeRecorder() {
  const routes: FuzzRoute[] = [];
  return {
    routes,
    record(route: RouteOptions) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const schema = (route.schema ?? {}) as Record<string, JsonSchema | undefined>;
      for (const method of methods) {
        // HEAD routes are Fastify's copies of GET ones: the same handler, fuzzed through GET.
        if (method === 'HEAD') continue;
        routes.push({
          method,
          url: route.url,
          ...(schema.params && { params: schema.params }),
          ...(schema.querystring && { querystring: schema.querystring }),
          ...(schema.body && { body: schema.body }),
        });
      }
    },
  };
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
