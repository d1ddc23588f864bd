import { Link, type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { ProductPage } from '../../products/product';
import type { StorefrontData } from '../data';
import { ProductCard } from './product-card';

export const CATALOG_PAGE_SIZE = 48;

export interface HomeData {
  catalog: ProductPage;
  offset: number;
}

export function homeLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<HomeData> => {
    const requested = Number(new URL(request.url).searchParams.get('offset'));
    const offset = Number.isInteger(requested) && requested > 0 ? requested : 0;
    return { catalog: await source.listProducts({ limit: CATALOG_PAGE_SIZE, offset }), offset };
  };
}

function CatalogPages({ offset, shown, total }: { offset: number; shown: number; total: number }) {
  const hasPrevious = offset > 0;
  const hasNext = offset + shown < total;
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav aria-label="Catalog pages" className="pages">
      {hasPrevious && <Link to={`/?offset=${Math.max(0, offset - CATALOG_PAGE_SIZE)}`}>Previous page</Link>}
      {hasNext && <Link to={`/?offset=${offset + CATALOG_PAGE_SIZE}`}>Next page</Link>}
    </nav>
  );
}

export function HomePage() {
  const { catalog, offset } = useLoaderData() as HomeData;
  return (
    <section className="catalog">
      <h1>Catalog</h1>
      {catalog.items.length === 0 ? (
        <p className="empty">No products yet. Check back soon.</p>
      ) : (
        <ul className="product-grid">
          {catalog.items.map((product) => (
            <ProductCard key={product.id} product={product} />
          ))}
        </ul>
      )}
      <CatalogPages offset={offset} shown={catalog.items.length} total={catalog.total} />
    </section>
  );
}
