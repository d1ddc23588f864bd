import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  redirect,
  useActionData,
  useLoaderData,
} from 'react-router';
import { TextField } from '../../components/text-field';
import type { FieldErrors, StorefrontData } from '../../data';
import { formText } from '../../forms';
import { CatalogForm } from '../components';
import type { AdminCategoryView } from '../data';
import { formVersion, optionalInteger } from '../forms';
import { adminRead } from '../route-data';

/** The form's values as text (what was typed, or the category's current values). */
interface CategoryFormValues {
  id: string;
  heading: string;
  description: string;
  position: string;
  version: number;
}

interface CategoryFormActionData {
  message: string;
  fieldErrors: FieldErrors;
  values: CategoryFormValues;
}

function valuesOf(category: AdminCategoryView): CategoryFormValues {
  return {
    id: category.id,
    heading: category.heading,
    description: category.description ?? '',
    position: category.position === undefined ? '' : String(category.position),
    version: category.version,
  };
}

const EMPTY: CategoryFormValues = { id: '', heading: '', description: '', position: '', version: 0 };

/** `/admin/catalog/categories/new` has no id param: a new category. */
export function categoryFormLoader(source: StorefrontData) {
  return async ({ request, params }: LoaderFunctionArgs): Promise<CategoryFormValues | null> =>
    params.id === undefined
      ? null
      : valuesOf(await adminRead(request, () => source.admin.getCategory(params.id!)));
}

export function categoryFormAction(source: StorefrontData) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const form = await request.formData();
    const values: CategoryFormValues = {
      id: params.id ?? formText(form, 'id'),
      heading: formText(form, 'heading'),
      description: formText(form, 'description'),
      position: formText(form, 'position'),
      version: formVersion(form),
    };
    const fields = {
      heading: values.heading,
      ...(values.description && { description: values.description }),
      ...(values.position && { position: optionalInteger(form, 'position') }),
    };
    const result = await adminRead(request, () =>
      params.id === undefined
        ? source.admin.createCategory({ id: values.id, ...fields })
        : source.admin.editCategory(params.id, { ...fields, version: values.version }),
    );
    if (result.ok) return redirect('/admin/catalog');
    // A stale copy: show what is in the database now, ready to be edited again.
    const current =
      result.status === 409 && result.current ? valuesOf(result.current as AdminCategoryView) : values;
    return data<CategoryFormActionData>(
      { message: result.message, fieldErrors: result.fieldErrors, values: current },
      { status: result.status },
    );
  };
}

export function CategoryFormPage() {
  const loaded = useLoaderData() as CategoryFormValues | null;
  const refused = useActionData() as CategoryFormActionData | undefined;
  const values = refused?.values ?? loaded ?? EMPTY;
  const errors = refused?.fieldErrors ?? {};
  const isNew = loaded === null;
  return (
    <section aria-labelledby="category-heading">
      <h1 id="category-heading">{isNew ? 'New category' : `Category ${values.id}`}</h1>
      {/* The key resets the fields when the server sends other values (after a 409). */}
      <CatalogForm
        version={values.version}
        refusal={refused?.message}
        id={isNew ? { value: values.id, error: errors.id, example: 'tea-and-coffee' } : undefined}
      >
        <TextField
          name="heading"
          label="Heading"
          required
          defaultValue={values.heading}
          error={errors.heading}
        />
        <TextField
          name="description"
          label="Description"
          defaultValue={values.description}
          error={errors.description}
        />
        <TextField
          name="position"
          label="Position in the menu"
          inputMode="numeric"
          defaultValue={values.position}
          error={errors.position}
        />
        <button type="submit">{isNew ? 'Create category' : 'Save'}</button>
      </CatalogForm>
      <p>
        <a href="/admin/catalog">Back to the catalog</a>
      </p>
    </section>
  );
}
