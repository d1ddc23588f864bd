import type { StorefrontData } from './data';

/** Where a loader or action finds the data source of the request it serves, from its `context`. */
export type SourceOf = (context: unknown) => StorefrontData;

/**
 * Loaders and actions that make the route's handler, per call, from the data source of the request
 * being served: the route tree is built once per server (building it, and the static handler's
 * matching tables, cost more than rendering a small page), so they cannot close over one request's
 * source. The server passes it as react-router's `requestContext`, which each call gets as `context`:
 * said where it is used, not carried by an AsyncLocalStorage around the handler.
 */
export function perRequest(sourceOf: SourceOf) {
  return <Args extends { context?: unknown }, Result>(
    make: (source: StorefrontData) => (args: Args) => Result,
  ) =>
    (args: Args): Result =>
      make(sourceOf(args.context))(args);
}
