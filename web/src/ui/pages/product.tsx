import { Suspense } from 'react';
import {
  type ActionFunctionArgs,
  Await,
  data,
  Form,
  type LoaderFunctionArgs,
  replace,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from 'react-router';
import type { Product } from '../../products/product';
import { Availability } from '../components/availability';
import { CsrfField } from '../components/csrf-field';
import { ProductGrid } from '../components/product-grid';
import type { AvailabilityView, CategoryView, StorefrontData } from '../data';
import { formatPrice } from '../format';
import { formQuantity, formText, INTENT_FIELD, MAX_QTY } from '../forms';
import { useRootData } from '../root-data';
import { notFound, orRouteError } from '../route-errors';

const RELATED_COUNT = 4;

export interface ProductData {
  product: Product;
  /** null when stock could not be read: the page still sells the product. */
  availability: AvailabilityView | null;
  /** The product's category for the breadcrumb; its id when the category is unknown. */
  category: CategoryView;
  /** Not awaited by the loader: the page streams first and this section follows. */
  related: Promise<Product[]>;
}

/** Only refusals come back as data: an add redirects (so reloading the page cannot add again). */
export interface ProductActionData {
  error: string;
}

/** `?added=N` on the product page after adding N (the redirect's way of saying so). */
export const ADDED_PARAM = 'added';

async function relatedProducts(source: StorefrontData, product: Product): Promise<Product[]> {
  const page = await source.listProducts({ category: product.category, limit: RELATED_COUNT + 1, offset: 0 });
  return page.items.filter((item) => item.id !== product.id).slice(0, RELATED_COUNT);
}

export function productLoader(source: StorefrontData) {
  return async ({ params }: LoaderFunctionArgs): Promise<ProductData> => {
    const product = params.id ? await source.getProduct(params.id) : null;
    if (!product) notFound();
    const [availability, categories] = await Promise.all([
      source.getAvailability(product.id).catch(() => null),
      source.listCategories().catch((): CategoryView[] => []),
    ]);
    const category = categories.find((candidate) => candidate.id === product.category) ?? {
      id: product.category,
      heading: product.category,
    };
    return { product, availability, category, related: relatedProducts(source, product) };
  };
}

export function productAction(source: StorefrontData) {
  return async ({ params, request }: ActionFunctionArgs) => {
    const form = await request.formData();
    if (formText(form, INTENT_FIELD) !== 'add') throw data(null, { status: 400, statusText: 'Bad Request' });
    const qty = formQuantity(form, 'qty', 1, MAX_QTY);
    if (qty === null)
      return data<ProductActionData>({ error: `Choose a quantity from 1 to ${MAX_QTY}.` }, { status: 400 });
    const productId = params.id ?? '';
    await orRouteError(request, () => source.addToCart(productId, qty));
    // Replace: Back should not step through "added" pages.
    return replace(`/products/${encodeURIComponent(productId)}?${ADDED_PARAM}=${qty}`);
  };
}

function AddToCart({ product }: { product: Product }) {
  const error = (useActionData() as ProductActionData | undefined)?.error;
  const [searchParams] = useSearchParams();
  const added = formQuantity(searchParams, ADDED_PARAM, 1, MAX_QTY);
  const { cartCount } = useRootData();
  const navigation = useNavigation();
  const adding = navigation.state !== 'idle' && navigation.formData?.get(INTENT_FIELD) === 'add';
  return (
    // The explicit action drops a `?added=` from the URL the form was shown at.
    <Form method="post" action={`/products/${encodeURIComponent(product.id)}`} className="add-to-cart">
      <CsrfField />
      <input type="hidden" name="productId" value={product.id} />
      <div className={error ? 'field has-error' : 'field'}>
        <label htmlFor="add-qty">Quantity</label>
        <input
          id="add-qty"
          name="qty"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_QTY}
          defaultValue={1}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'add-qty-error' : undefined}
        />
        {error && (
          <p className="field-error" id="add-qty-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" name={INTENT_FIELD} value="add" className="button primary" disabled={adding}>
        {adding ? 'Adding…' : 'Add to cart'}
      </button>
      <p className="status" role="status" data-testid="added">
        {added !== null && !error && navigation.state === 'idle' && (
          <>
            {`Added ${added} to your cart. `}
            <a href="/cart">{cartCount === null ? 'View cart' : `View cart (${cartCount})`}</a>
          </>
        )}
      </p>
    </Form>
  );
}

export function ProductPage() {
  const { product, availability, category, related } = useLoaderData() as ProductData;
  return (
    <article className="product">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <a href="/">Home</a>
          </li>
          <li>
            <a href={`/c/${encodeURIComponent(category.id)}`}>{category.heading}</a>
          </li>
        </ol>
      </nav>
      <div className="product-layout">
        {product.imagePath ? (
          <img src={`/images/${product.imagePath}`} alt={product.heading} width="640" height="480" />
        ) : (
          <span className="image-placeholder large" aria-hidden="true" />
        )}
        <div className="product-buy">
          <h1>{product.heading}</h1>
          <p className="price">{formatPrice(product.price)}</p>
          <Availability key={product.id} productId={product.id} initial={availability} />
          <AddToCart product={product} />
          <p className="description">{product.description}</p>
        </div>
      </div>
      <section className="related" aria-labelledby="related-heading">
        <h2 id="related-heading">More in this category</h2>
        <Suspense fallback={<p>Loading suggestions…</p>}>
          <Await resolve={related} errorElement={<p>Suggestions are unavailable right now.</p>}>
            {(products: Product[]) =>
              products.length === 0 ? (
                <p>Nothing else in this category yet.</p>
              ) : (
                <ProductGrid products={products} />
              )
            }
          </Await>
        </Suspense>
      </section>
    </article>
  );
}
