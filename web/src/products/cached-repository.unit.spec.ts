import { describe, expect, it } from 'vitest';
import { cachedProductRepository } from './cached-repository';
import type { Product } from './product';
import type { ProductRepository } from './repository';

/** An in-memory catalog that counts the queries it answers. */
function countingCatalog(products: Product[]) {
  const calls = { list: 0, findById: 0, findByIds: 0, listCategories: 0 };
  let failNext = false;
  const repository: ProductRepository = {
    async list({ category, offset, limit }) {
      calls.list++;
      const items = products.filter((product) => !category || product.category === category);
      return { items: items.slice(offset, offset + limit), total: items.length };
    },
    async findById(id) {
      calls.findById++;
      if (failNext) {
        failNext = false;
        throw new Error('database unavailable');
      }
      return products.find((product) => product.id === id) ?? null;
    },
    async findByIds(ids) {
      calls.findByIds++;
      return new Map(products.filter((p) => ids.includes(p.id)).map((p) => [p.id, p]));
    },
    async listCategories() {
      calls.listCategories++;
      return [{ id: 'kitchen', heading: 'Kitchen' }];
    },
  };
  return { repository, calls, failOnce: () => (failNext = true) };
}

const teapot: Product = {
  id: 'teapot',
  category: 'kitchen',
  heading: 'Teapot',
  description: '',
  price: { amount: 4200, currency: 'EUR' },
  position: 'hero',
};

describe('cachedProductRepository', () => {
  it('answers repeated reads from memory until the time to live has passed', async () => {
    let clock = 0;
    const { repository, calls } = countingCatalog([teapot]);
    const cached = cachedProductRepository(repository, { ttlMs: 5000, now: () => clock });
    await cached.list({ limit: 10, offset: 0 });
    await cached.list({ limit: 10, offset: 0 });
    await cached.listCategories();
    await cached.listCategories();
    expect(calls).toMatchObject({ list: 1, listCategories: 1 });
    await cached.list({ limit: 10, offset: 0, category: 'kitchen' });
    expect(calls.list).toBe(2); // another query is another entry
    clock = 5000;
    await cached.list({ limit: 10, offset: 0 });
    expect(calls.list).toBe(3);
  });

  it('shares one query between concurrent misses', async () => {
    const { repository, calls } = countingCatalog([teapot]);
    const cached = cachedProductRepository(repository, { ttlMs: 5000 });
    const answers = await Promise.all([1, 2, 3].map(() => cached.findById('teapot')));
    expect(answers.map((answer) => answer?.id)).toEqual(['teapot', 'teapot', 'teapot']);
    expect(calls.findById).toBe(1);
  });

  it('does not keep a failure', async () => {
    const { repository, calls, failOnce } = countingCatalog([teapot]);
    const cached = cachedProductRepository(repository, { ttlMs: 5000 });
    failOnce();
    await expect(cached.findById('teapot')).rejects.toThrow('database unavailable');
    await expect(cached.findById('teapot')).resolves.toMatchObject({ id: 'teapot' });
    expect(calls.findById).toBe(2);
  });

  it('always reads prices for carts and checkout fresh, and keeps at most maxEntries answers', async () => {
    const { repository, calls } = countingCatalog([teapot]);
    const cached = cachedProductRepository(repository, { ttlMs: 5000, maxEntries: 2 });
    await cached.findByIds(['teapot']);
    await cached.findByIds(['teapot']);
    expect(calls.findByIds).toBe(2);
    for (const id of ['a', 'b', 'c', 'a']) await cached.findById(id);
    expect(calls.findById).toBe(4); // 'a' was evicted by 'c'
  });

  it('is the repository itself when the time to live is 0', () => {
    const { repository } = countingCatalog([]);
    expect(cachedProductRepository(repository, { ttlMs: 0 })).toBe(repository);
  });
});
