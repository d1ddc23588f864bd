import { MongoServerError } from 'mongodb';
import { throttledCounter } from '../mongo/throttling';

/** A refusal as Cosmos DB answers a request beyond the provisioned RU/s, asking for `retryAfterMs`. */
export function throttledRefusal(retryAfterMs = 5): MongoServerError {
  return new MongoServerError({
    ok: 0,
    code: 16500,
    codeName: 'TooManyRequests',
    errmsg: `Error=16500, RetryAfterMs=${retryAfterMs}, Details='Request rate is large'`,
  });
}

/** `mongo_throttled_total{component}` now: the refusals retried under `component`. */
export async function throttledCount(component: string): Promise<number> {
  const values = (await throttledCounter().get()).values;
  return values.find((value) => value.labels.component === component)?.value ?? 0;
}
