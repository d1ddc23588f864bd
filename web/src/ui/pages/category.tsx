import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { ProductPage } from '../../products/product';
import { CATALOG_PAGE_SIZE, offsetOf, Pager } from '../components/pager';
import { ProductGrid } from '../components/product-grid';
import type { CategoryView, StorefrontData } from '../data';
import { notFound } from '../route-errors';

export interface CategoryData {
  category: CategoryView;
  products: ProductPage;
  offset: number;
}

export function categoryLoader(source: StorefrontData) {
  return async ({ params, request }: LoaderFunctionArgs): Promise<CategoryData> => {
    const categoryId = params.categoryId ?? '';
    const offset = offsetOf(request);
    const [categories, products] = await Promise.all([
      source.listCategories(),
      source.listProducts({ category: categoryId, limit: CATALOG_PAGE_SIZE, offset }),
    ]);
    const category = categories.find((candidate) => candidate.id === categoryId);
    // Products whose category document is missing still get a page, headed by the id.
    if (!category && products.total === 0) notFound();
    return { category: category ?? { id: categoryId, heading: categoryId }, products, offset };
  };
}

export function CategoryPage() {
  const { category, products, offset } = useLoaderData() as CategoryData;
  return (
    <section className="category" aria-labelledby="category-heading">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <a href="/">Home</a>
          </li>
          <li aria-current="page">{category.heading}</li>
        </ol>
      </nav>
      <h1 id="category-heading">{category.heading}</h1>
      {category.description && <p className="lead">{category.description}</p>}
      {products.items.length === 0 ? (
        <p className="empty">Nothing in this category yet.</p>
      ) : (
        <ProductGrid products={products.items} headingLevel={2} />
      )}
      <Pager
        path={`/c/${encodeURIComponent(category.id)}`}
        offset={offset}
        shown={products.items.length}
        total={products.total}
      />
    </section>
  );
}
