import { useEffect, useState } from 'react';
import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  redirect,
  useActionData,
  useLoaderData,
} from 'react-router';
import { TextField } from '../../components/text-field';
import type { FieldErrors, StorefrontData } from '../../data';
import { formText, INTENT_FIELD } from '../../forms';
import { CatalogForm } from '../components';
import type { AdminCategoryView, AdminProductView } from '../data';
import { formVersion, minorUnitsToPrice, priceToMinorUnits } from '../forms';
import { adminRead } from '../route-data';

const POSITIONS = ['normal', 'highlight', 'hero'] as const;

interface ProductFormValues {
  id: string;
  categoryId: string;
  heading: string;
  description: string;
  price: string;
  currency: string;
  position: string;
  imagePath?: string | undefined;
  version: number;
}

interface ProductFormData {
  product: ProductFormValues | null;
  categories: Pick<AdminCategoryView, 'id' | 'heading'>[];
}

interface ProductFormActionData {
  message: string;
  fieldErrors: FieldErrors;
  values: ProductFormValues;
}

function valuesOf(product: AdminProductView): ProductFormValues {
  return {
    id: product.id,
    categoryId: product.categoryId,
    heading: product.heading,
    description: product.description,
    price: minorUnitsToPrice(product.price.amount),
    currency: product.price.currency,
    position: product.position,
    imagePath: product.imagePath,
    version: product.version,
  };
}

const EMPTY: ProductFormValues = {
  id: '',
  categoryId: '',
  heading: '',
  description: '',
  price: '',
  currency: 'EUR',
  position: 'normal',
  version: 0,
};

export function productFormLoader(source: StorefrontData) {
  return async ({ request, params }: LoaderFunctionArgs): Promise<ProductFormData> => {
    const [product, categories] = await Promise.all([
      params.id === undefined ? null : adminRead(request, () => source.admin.getProduct(params.id!)),
      adminRead(request, () => source.admin.listCategories()),
    ]);
    return {
      product: product && valuesOf(product),
      categories: categories.filter((c) => !c.archived).map(({ id, heading }) => ({ id, heading })),
    };
  };
}

interface ImageActionData {
  image: { message: string; ok: boolean };
}

/** The picture's own form (multipart: in the browser only, see ImageForm): the file to the upload API. */
async function uploadImage(source: StorefrontData, request: Request, id: string, form: FormData) {
  const file = form.get('image');
  if (!(file instanceof Blob) || file.size === 0)
    return data<ImageActionData>(
      { image: { ok: false, message: 'Choose a picture first.' } },
      { status: 400 },
    );
  const result = await adminRead(request, () => source.admin.uploadProductImage(id, formVersion(form), file));
  if (!result.ok)
    return data<ImageActionData>(
      { image: { ok: false, message: result.message } },
      { status: result.status },
    );
  return { image: { ok: true, message: 'Picture saved.' } } satisfies ImageActionData;
}

export function productFormAction(source: StorefrontData) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const form = await request.formData();
    if (formText(form, INTENT_FIELD) === 'image' && params.id !== undefined) {
      return uploadImage(source, request, params.id, form);
    }
    const values: ProductFormValues = {
      id: params.id ?? formText(form, 'id'),
      categoryId: formText(form, 'categoryId'),
      heading: formText(form, 'heading'),
      description: formText(form, 'description'),
      price: formText(form, 'price'),
      currency: formText(form, 'currency') || 'EUR',
      position: formText(form, 'position') || 'normal',
      version: formVersion(form),
    };
    const refused = (message: string, fieldErrors: FieldErrors, status: number, shown = values) =>
      data<ProductFormActionData>({ message, fieldErrors, values: shown }, { status });
    const priceAmount = priceToMinorUnits(values.price);
    if (priceAmount === null)
      return refused('Check the highlighted fields.', { price: 'A price such as 49 or 49.90' }, 400);
    const fields = {
      heading: values.heading,
      description: values.description,
      priceAmount,
      currency: values.currency,
      position: values.position,
    };
    const result = await adminRead(request, () =>
      params.id === undefined
        ? source.admin.createProduct({ id: values.id, categoryId: values.categoryId, ...fields })
        : source.admin.editProduct(params.id, { ...fields, version: values.version }),
    );
    if (result.ok) return redirect('/admin/catalog');
    const { priceAmount: priceError, ...otherErrors } = result.fieldErrors;
    const fieldErrors = priceError ? { ...otherErrors, price: priceError } : otherErrors;
    // A stale copy: show what is in the database now, ready to be edited again.
    const shown =
      result.status === 409 && result.current ? valuesOf(result.current as AdminProductView) : values;
    return refused(result.message, fieldErrors, result.status, shown);
  };
}

/**
 * The picture: a file the API takes as raw bytes, which a form without JavaScript can not send, so
 * this form appears once the page is hydrated (a note says so before).
 */
function ImageForm({ version, result }: { version: number; result: ImageActionData['image'] | undefined }) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated) return <p className="hint">Changing the picture needs JavaScript.</p>;
  return (
    <Form method="post" encType="multipart/form-data" className="admin-form" data-testid="image-form">
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor="field-image">New picture (PNG, JPEG, WebP or AVIF, at most 5 MB)</label>
        <input
          id="field-image"
          name="image"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/avif"
        />
      </div>
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'form-status' : 'form-alert'}>
          {result.message}
        </p>
      )}
      <button type="submit" name={INTENT_FIELD} value="image">
        Upload picture
      </button>
    </Form>
  );
}

export function ProductFormPage() {
  const { product, categories } = useLoaderData() as ProductFormData;
  const answer = useActionData() as ProductFormActionData | ImageActionData | undefined;
  const refused = answer && 'values' in answer ? answer : undefined;
  const imageResult = answer && 'image' in answer ? answer.image : undefined;
  const values = refused?.values ?? product ?? EMPTY;
  const errors = refused?.fieldErrors ?? {};
  const isNew = product === null;
  return (
    <section aria-labelledby="product-heading">
      <h1 id="product-heading">{isNew ? 'New product' : `Product ${values.id}`}</h1>
      {values.imagePath && (
        <img
          src={`/images/${values.imagePath}`}
          alt=""
          className="admin-thumb"
          width={160}
          height={160}
          data-testid="product-image"
        />
      )}
      {!isNew && <ImageForm version={values.version} result={imageResult} />}
      <CatalogForm
        version={values.version}
        refusal={refused?.message}
        id={isNew ? { value: values.id, error: errors.id, example: 'copper-kettle' } : undefined}
      >
        {isNew && (
          <div className={errors.categoryId ? 'field has-error' : 'field'}>
            <label htmlFor="field-categoryId">Category (never changes)</label>
            <select
              id="field-categoryId"
              name="categoryId"
              required
              defaultValue={values.categoryId}
              aria-invalid={errors.categoryId ? true : undefined}
              aria-describedby={errors.categoryId ? 'field-categoryId-error' : undefined}
            >
              <option value="">Choose…</option>
              {categories.map((category) => (
                <option key={category.id} value={category.id}>
                  {category.heading}
                </option>
              ))}
            </select>
            {errors.categoryId && (
              <p className="field-error" id="field-categoryId-error">
                {errors.categoryId}
              </p>
            )}
          </div>
        )}
        <TextField
          name="heading"
          label="Heading"
          required
          defaultValue={values.heading}
          error={errors.heading}
        />
        <div className={errors.description ? 'field has-error' : 'field'}>
          <label htmlFor="field-description">Description</label>
          <textarea
            id="field-description"
            name="description"
            rows={4}
            defaultValue={values.description}
            aria-invalid={errors.description ? true : undefined}
          />
          {errors.description && <p className="field-error">{errors.description}</p>}
        </div>
        <TextField
          name="price"
          label="Price"
          required
          inputMode="decimal"
          defaultValue={values.price}
          error={errors.price}
          hint="In the currency below, such as 49.90"
        />
        <TextField
          name="currency"
          label="Currency"
          required
          defaultValue={values.currency}
          error={errors.currency}
        />
        <div className="field">
          <label htmlFor="field-position">Position on the storefront</label>
          <select id="field-position" name="position" defaultValue={values.position}>
            {POSITIONS.map((position) => (
              <option key={position} value={position}>
                {position}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{isNew ? 'Create product' : 'Save'}</button>
      </CatalogForm>
      <p>
        <a href="/admin/catalog">Back to the catalog</a>
      </p>
    </section>
  );
}
