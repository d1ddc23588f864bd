import type { Product } from '../../products/product';
import { formatPrice } from '../format';

/** One product of a grid; the heading level follows the section the grid sits in. */
export function ProductCard({ product, headingLevel = 3 }: { product: Product; headingLevel?: 2 | 3 }) {
  const Heading = `h${headingLevel}` as const;
  return (
    <li className={`product-card position-${product.position}`} data-testid="product-card">
      <a href={`/products/${encodeURIComponent(product.id)}`} className="card-link">
        {product.imagePath ? (
          <img src={`/images/${product.imagePath}`} alt="" loading="lazy" width="320" height="240" />
        ) : (
          <span className="image-placeholder" aria-hidden="true" />
        )}
        <Heading>{product.heading}</Heading>
      </a>
      <p className="price">{formatPrice(product.price)}</p>
    </li>
  );
}
