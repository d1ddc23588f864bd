import type { CartLine } from '@az-shop/common';
import type { Product } from '../products/product';
import type { CartLineView, CartView } from '../ui/data';

export const DEFAULT_CURRENCY = 'EUR';

export function emptyCartView(currency = DEFAULT_CURRENCY): CartView {
  return { lines: [], count: 0, total: 0, currency };
}

/**
 * The cart as pages show it: headings and images from the catalog, and the catalog's current price
 * (what checkout will charge); a product gone from the catalog keeps the price it was added at.
 */
export function toCartView(
  lines: readonly CartLine[],
  currency: string,
  products: ReadonlyMap<string, Product>,
): CartView {
  const views: CartLineView[] = lines.map((line) => {
    const product = products.get(line.productId);
    const unitPrice = product?.price.amount ?? line.unitPrice;
    const view: CartLineView = {
      productId: line.productId,
      heading: product?.heading ?? line.productId,
      qty: line.qty,
      unitPrice,
      lineTotal: unitPrice * line.qty,
    };
    if (product?.imagePath) view.imagePath = product.imagePath;
    return view;
  });
  return {
    lines: views,
    count: views.reduce((sum, line) => sum + line.qty, 0),
    total: views.reduce((sum, line) => sum + line.lineTotal, 0),
    currency,
  };
}
