import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { Product, ProductPage } from '../../products/product';
import { CATALOG_PAGE_SIZE, offsetOf, Pager } from '../components/pager';
import { ProductGrid } from '../components/product-grid';
import type { CategoryView, StorefrontData } from '../data';
import { formatPrice } from '../format';

export { CATALOG_PAGE_SIZE };

/** Categories featured on the home page, with a few of their products each. */
const HIGHLIGHTED_CATEGORIES = 3;
const PRODUCTS_PER_HIGHLIGHT = 4;
const HERO_COUNT = 2;

export interface CategoryHighlight {
  category: CategoryView;
  products: Product[];
}

export interface HomeData {
  /** The whole catalog, a page at a time (`?offset=`). */
  catalog: ProductPage;
  offset: number;
  /** On the first page only: the hero products and the highlighted categories. */
  heroes: Product[];
  categories: CategoryView[];
  highlights: CategoryHighlight[];
}

async function highlightsOf(
  source: StorefrontData,
  categories: CategoryView[],
): Promise<CategoryHighlight[]> {
  const highlights = await Promise.all(
    categories.slice(0, HIGHLIGHTED_CATEGORIES).map(async (category) => ({
      category,
      products: (
        await source.listProducts({ category: category.id, limit: PRODUCTS_PER_HIGHLIGHT, offset: 0 })
      ).items,
    })),
  );
  return highlights.filter((highlight) => highlight.products.length > 0);
}

export function homeLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<HomeData> => {
    const offset = offsetOf(request);
    const [catalog, categories] = await Promise.all([
      source.listProducts({ limit: CATALOG_PAGE_SIZE, offset }),
      // Categories dress the page up; without them the catalog still sells.
      source.listCategories().catch((): CategoryView[] => []),
    ]);
    if (offset > 0) return { catalog, offset, heroes: [], categories, highlights: [] };
    // The catalog lists hero products first, so the first page holds them.
    const heroes = catalog.items.filter((product) => product.position === 'hero').slice(0, HERO_COUNT);
    return { catalog, offset, heroes, categories, highlights: await highlightsOf(source, categories) };
  };
}

function Hero({ product }: { product: Product }) {
  const href = `/products/${encodeURIComponent(product.id)}`;
  return (
    <article className="hero" data-testid="hero">
      {product.imagePath && (
        <img src={`/images/${product.imagePath}`} alt={product.heading} width="640" height="480" />
      )}
      <div className="hero-text">
        <h2>{product.heading}</h2>
        <p>{product.description}</p>
        <p className="price">{formatPrice(product.price)}</p>
        <a href={href} className="button" aria-label={`View ${product.heading}`}>
          View
        </a>
      </div>
    </article>
  );
}

function CategoryNav({ categories }: { categories: CategoryView[] }) {
  if (categories.length === 0) return null;
  return (
    <nav aria-label="Categories" className="category-nav">
      <ul className="inline-list">
        {categories.map((category) => (
          <li key={category.id}>
            <a href={`/c/${encodeURIComponent(category.id)}`}>{category.heading}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Highlight({ highlight: { category, products } }: { highlight: CategoryHighlight }) {
  const headingId = `highlight-${category.id}`;
  return (
    <section className="highlight" aria-labelledby={headingId} data-testid="highlight">
      <h2 id={headingId}>{category.heading}</h2>
      {category.description && <p>{category.description}</p>}
      <ProductGrid products={products} />
      <p>
        <a href={`/c/${encodeURIComponent(category.id)}`}>All of {category.heading}</a>
      </p>
    </section>
  );
}

export function HomePage() {
  const { catalog, offset, heroes, categories, highlights } = useLoaderData() as HomeData;
  return (
    <>
      <h1 className={offset === 0 ? 'visually-hidden' : undefined}>az-shop catalog</h1>
      <CategoryNav categories={categories} />
      {heroes.length > 0 && (
        <section className="heroes" aria-label="Featured">
          {heroes.map((product) => (
            <Hero key={product.id} product={product} />
          ))}
        </section>
      )}
      {highlights.map((highlight) => (
        <Highlight key={highlight.category.id} highlight={highlight} />
      ))}
      <section className="catalog" aria-labelledby="catalog-heading">
        <h2 id="catalog-heading">All products</h2>
        {catalog.items.length === 0 ? (
          <p className="empty">No products yet. Check back soon.</p>
        ) : (
          <ProductGrid products={catalog.items} />
        )}
        <Pager path="/" offset={offset} shown={catalog.items.length} total={catalog.total} />
      </section>
    </>
  );
}
