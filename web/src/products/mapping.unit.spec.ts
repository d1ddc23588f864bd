import type { CategoryDocument, ProductDocument } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { toCategoryView, toProduct } from './mapping';

const chair: ProductDocument = {
  _id: 'chair-1',
  partition_key: 'chairs',
  kind: 'product',
  categoryId: 'chairs',
  heading: 'Oak Chair',
  description: 'Sturdy',
  price: { amount: 4999, currency: 'EUR' },
  position: 'hero',
};

describe('toProduct', () => {
  it('shows the document without storage fields, the category from the partition key', () => {
    expect(toProduct(chair)).toEqual({
      id: 'chair-1',
      category: 'chairs',
      heading: 'Oak Chair',
      description: 'Sturdy',
      price: { amount: 4999, currency: 'EUR' },
      position: 'hero',
    });
  });

  it('keeps the image path when there is one', () => {
    expect(toProduct({ ...chair, imagePath: 'products/chair-1.png' }).imagePath).toBe('products/chair-1.png');
  });
});

describe('toCategoryView', () => {
  it('keeps id, heading and an optional description', () => {
    const category: CategoryDocument = {
      _id: 'chairs',
      partition_key: 'chairs',
      kind: 'category',
      heading: 'Chairs',
    };
    expect(toCategoryView(category)).toEqual({ id: 'chairs', heading: 'Chairs' });
    expect(toCategoryView({ ...category, description: 'Sit' })).toEqual({
      id: 'chairs',
      heading: 'Chairs',
      description: 'Sit',
    });
  });
});
