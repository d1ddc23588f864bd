import { PRODUCTS, type ProductDocument } from '@az-shop/common';
import type { Db } from 'mongodb';
import type { FactoryConfig } from '../../src/config';

export { silentLogger, TestClock } from '@az-shop/common/testing';

export const testFactoryConfig: FactoryConfig = {
  FACTORY_CAPACITY: 2,
  FACTORY_SECONDS_PER_UNIT: 0.01,
  FACTORY_TICK_MS: 20,
  // A pass every tick, as the tests that move their clock need.
  FACTORY_IDLE_MS: 20,
};

export async function seedProducts(db: Db, ids: string[]): Promise<void> {
  await db.collection<ProductDocument>(PRODUCTS).insertMany(
    ids.map((id) => ({
      _id: id,
      partition_key: 'cat1',
      kind: 'product' as const,
      categoryId: 'cat1',
      heading: `Product ${id}`,
      description: '',
      price: { amount: 500, currency: 'EUR' },
      position: 'normal' as const,
    })),
  );
}

export function productionRequest(id: string, productId: string, qty: number) {
  return { _id: id, partition_key: productId, productId, warehouse: 'main', qty, requestedAt: new Date() };
}
