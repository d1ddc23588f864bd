import { Link } from 'react-router';
import type { Product } from '../../products/product';
import { formatPrice } from '../format';

export function ProductCard({ product }: { product: Product }) {
  return (
    <li className={`product-card position-${product.position}`} data-testid="product-card">
      <Link to={`/products/${encodeURIComponent(product.id)}`}>
        {product.imagePath && <img src={`/images/${product.imagePath}`} alt="" loading="lazy" />}
        <h2>{product.heading}</h2>
      </Link>
      <p className="price">{formatPrice(product.price)}</p>
    </li>
  );
}
