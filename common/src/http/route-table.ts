import type { FastifyInstance, FastifySchema, HTTPMethods } from 'fastify';

/** One route of a service, as registered: what tests walk (access checks, fuzzing) and nothing more. */
export interface RouteEntry {
  method: HTTPMethods;
  url: string;
  schema?: FastifySchema;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the app was created, in order (HEAD twins of GETs left out). */
    readonly routeTable: readonly RouteEntry[];
  }
}

/** Records every route as it is added: Fastify keeps no listing a test could walk otherwise. */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', { getter: () => table });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD route beside each GET, with the GET's handler and hooks; none is our own.
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, ...(route.schema && { schema: route.schema }) });
    }
  });
}
