import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
} from 'react-router';
import type { StorefrontData } from '../../data';
import { formatPrice } from '../../format';
import { formText, INTENT_FIELD } from '../../forms';
import { ActionMessage, type ActionOutcome, RowActions } from '../components';
import type { AdminCategoryView, AdminProductView, CatalogKind } from '../data';
import { formVersion } from '../forms';
import { adminRead } from '../route-data';

export interface CatalogData {
  categories: AdminCategoryView[];
  products: AdminProductView[];
}

export function catalogLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<CatalogData> =>
    adminRead(request, async () => {
      const [categories, products] = await Promise.all([
        source.admin.listCategories(),
        source.admin.listProducts(),
      ]);
      return { categories, products };
    });
}

/** Archive or restore, from the buttons of the lists: `intent` is `archive` or `restore`. */
export function catalogAction(source: StorefrontData) {
  return async ({ request }: ActionFunctionArgs) => {
    const form = await request.formData();
    const intent = formText(form, INTENT_FIELD);
    const kind = formText(form, 'kind');
    if ((intent !== 'archive' && intent !== 'restore') || (kind !== 'category' && kind !== 'product'))
      return data<ActionOutcome>({ ok: false, message: 'Unknown action' }, { status: 400 });
    const result = await adminRead(request, () =>
      source.admin.setArchived(kind, formText(form, 'id'), intent === 'archive', formVersion(form)),
    );
    if (!result.ok)
      return data<ActionOutcome>({ ok: false, message: result.message }, { status: result.status });
    return {
      ok: true,
      message: `${kind === 'category' ? 'Category' : 'Product'} ${intent === 'archive' ? 'archived' : 'restored'}.`,
    };
  };
}

function ArchiveButton({
  kind,
  item,
}: {
  kind: CatalogKind;
  item: { id: string; version: number; archived: boolean };
}) {
  const intent = item.archived ? 'restore' : 'archive';
  return (
    <RowActions
      fields={{ kind, id: item.id, version: item.version }}
      actions={[
        {
          intent,
          label: (
            <>
              {item.archived ? 'Restore' : 'Archive'}
              <span className="visually-hidden"> {item.id}</span>
            </>
          ),
        },
      ]}
    />
  );
}

export function CatalogPage() {
  const { categories, products } = useLoaderData() as CatalogData;
  const outcome = useActionData() as ActionOutcome | undefined;
  return (
    <section aria-labelledby="catalog-heading">
      <h1 id="catalog-heading">Catalog</h1>
      <ActionMessage outcome={outcome} testId="catalog-status" />
      <h2>Categories</h2>
      <p>
        <a href="/admin/catalog/categories/new">New category</a>
      </p>
      <table className="admin-table" data-testid="categories-table">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Heading</th>
            <th scope="col">Position</th>
            <th scope="col">State</th>
            <th scope="col">Last change</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {categories.map((category) => (
            <tr key={category.id}>
              <th scope="row">
                <a href={`/admin/catalog/categories/${encodeURIComponent(category.id)}`}>{category.id}</a>
              </th>
              <td>{category.heading}</td>
              <td>{category.position ?? ''}</td>
              <td>{category.archived ? <span className="badge">archived</span> : 'on sale'}</td>
              <td>{category.lastChange && `${category.lastChange.action} by ${category.lastChange.by}`}</td>
              <td>
                <ArchiveButton kind="category" item={category} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Products</h2>
      <p>
        <a href="/admin/catalog/products/new">New product</a>
      </p>
      <table className="admin-table" data-testid="products-table">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Heading</th>
            <th scope="col">Category</th>
            <th scope="col">Price</th>
            <th scope="col">Position</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {products.map((product) => (
            <tr key={product.id}>
              <th scope="row">
                <a href={`/admin/catalog/products/${encodeURIComponent(product.id)}`}>{product.id}</a>
              </th>
              <td>{product.heading}</td>
              <td>{product.categoryId}</td>
              <td>{formatPrice(product.price)}</td>
              <td>{product.position}</td>
              <td>{product.archived ? <span className="badge">archived</span> : 'on sale'}</td>
              <td>
                <ArchiveButton kind="product" item={product} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
