import { AsyncLocalStorage } from 'node:async_hooks';
import type { StorefrontData } from '../ui/data';

const current = new AsyncLocalStorage<StorefrontData>();

/**
 * The route tree is built once per server (building it, and the static handler's route matching
 * tables, cost more than rendering a small page), so its loaders cannot close over one request's
 * data source. They get this stand-in, which forwards each call to the source of the request being
 * handled: `withRequestData` sets it around `handler.query`, and deferred loader work started there
 * keeps it.
 */
export const requestDataSource: StorefrontData = new Proxy({} as StorefrontData, {
  get(_target, name) {
    const source = current.getStore();
    if (!source) throw new Error('page data read outside a page request');
    const value = source[name as keyof StorefrontData];
    return typeof value === 'function' ? value.bind(source) : value;
  },
});

export function withRequestData<T>(source: StorefrontData, run: () => Promise<T>): Promise<T> {
  return current.run(source, run);
}
