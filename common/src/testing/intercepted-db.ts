import type { Collection, Db } from 'mongodb';

/**
 * `db` whose collection `name` runs each call of one of `methods` through `around`, given the call:
 * to pause a handler between two steps, stop it there as a crash would, or refuse a command.
 */
export function intercepted(
  db: Db,
  name: string,
  methods: string[],
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): Db {
  const bound = (target: object, value: unknown) =>
    typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'collection') return bound(target, Reflect.get(target, property, target));
      return (collectionName: string, ...rest: unknown[]) => {
        const collection = (target.collection as (...args: unknown[]) => Collection)(collectionName, ...rest);
        if (collectionName !== name) return collection;
        return new Proxy(collection, {
          get(inner, key) {
            const value = Reflect.get(inner, key, inner);
            if (typeof key !== 'string' || !methods.includes(key)) return bound(inner, value);
            return (...args: unknown[]) =>
              around(() => (value as (...a: unknown[]) => Promise<unknown>).apply(inner, args));
          },
        });
      };
    },
  });
}
