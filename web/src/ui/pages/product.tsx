import { Suspense } from 'react';
import { Await, data, Link, type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { Product } from '../../products/product';
import type { StorefrontData } from '../data';
import { formatPrice } from '../format';
import { ProductCard } from './product-card';

const RELATED_COUNT = 4;

export interface ProductData {
  product: Product;
  /** Not awaited by the loader: the page streams first and this section follows. */
  related: Promise<Product[]>;
}

async function relatedProducts(source: StorefrontData, product: Product): Promise<Product[]> {
  const page = await source.listProducts({ category: product.category, limit: RELATED_COUNT + 1, offset: 0 });
  return page.items.filter((item) => item.id !== product.id).slice(0, RELATED_COUNT);
}

export function productLoader(source: StorefrontData) {
  return async ({ params }: LoaderFunctionArgs): Promise<ProductData> => {
    const product = params.id ? await source.getProduct(params.id) : null;
    if (!product) throw data(null, { status: 404, statusText: 'Not Found' });
    return { product, related: relatedProducts(source, product) };
  };
}

function RelatedProducts({ products }: { products: Product[] }) {
  if (products.length === 0) return <p>Nothing else in this category yet.</p>;
  return (
    <ul className="product-grid">
      {products.map((product) => (
        <ProductCard key={product.id} product={product} />
      ))}
    </ul>
  );
}

export function ProductPage() {
  const { product, related } = useLoaderData() as ProductData;
  return (
    <article className="product">
      <p>
        <Link to="/">← Catalog</Link>
      </p>
      {product.imagePath && <img src={`/images/${product.imagePath}`} alt={product.heading} />}
      <h1>{product.heading}</h1>
      <p className="price">{formatPrice(product.price)}</p>
      <p className="description">{product.description}</p>
      <section className="related" aria-label="More in this category">
        <h2>More in this category</h2>
        <Suspense fallback={<p>Loading suggestions…</p>}>
          <Await resolve={related} errorElement={<p>Suggestions are unavailable right now.</p>}>
            {(products: Product[]) => <RelatedProducts products={products} />}
          </Await>
        </Suspense>
      </section>
    </article>
  );
}
