import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
} from 'react-router';
import { CsrfField } from '../../components/csrf-field';
import type { FieldErrors, StorefrontData } from '../../data';
import { formatDateTime } from '../../format';
import { formQuantity, formText, INTENT_FIELD } from '../../forms';
import { ActionMessage, type ActionOutcome, RowActions } from '../components';
import type { ProductionRequestView } from '../data';
import { adminRead } from '../route-data';

/** The factory builds 1 to 1,000 units per request. */
const MAX_UNITS = 1000;
const SHOWN = 50;

interface ProductionData {
  requests: ProductionRequestView[];
  products: { id: string; heading: string }[];
}

interface ProductionActionData extends ActionOutcome {
  fieldErrors?: FieldErrors;
}

export function productionLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<ProductionData> =>
    adminRead(request, async () => {
      const [requests, products] = await Promise.all([
        source.admin.listProductionRequests(SHOWN),
        source.admin.listProducts(),
      ]);
      return {
        requests,
        products: products.filter((p) => !p.archived).map(({ id, heading }) => ({ id, heading })),
      };
    });
}

/** `intent`: `request` (a product and a number of units) or `cancel` (a request's id). */
export function productionAction(source: StorefrontData) {
  return async ({ request }: ActionFunctionArgs) => {
    const form = await request.formData();
    const answer = (body: ProductionActionData, status = 200) => data(body, { status });
    if (formText(form, INTENT_FIELD) === 'cancel') {
      const result = await adminRead(request, () =>
        source.admin.cancelProductionRequest(formText(form, 'id')),
      );
      if (!result.ok) return answer({ ok: false, message: result.message }, result.status);
      return answer({ ok: true, message: 'Cancellation asked: the factory drops it if it has not started.' });
    }
    const qty = formQuantity(form, 'qty', 1, MAX_UNITS);
    const productId = formText(form, 'productId');
    const fieldErrors: FieldErrors = {
      ...(qty === null && { qty: `A whole number from 1 to ${MAX_UNITS}` }),
      ...(!productId && { productId: 'Required' }),
    };
    if (qty === null || !productId)
      return answer({ ok: false, message: 'Check the highlighted fields.', fieldErrors }, 400);
    const result = await adminRead(request, () => source.admin.requestProduction({ productId, qty }));
    if (!result.ok)
      return answer({ ok: false, message: result.message, fieldErrors: result.fieldErrors }, result.status);
    return answer({ ok: true, message: `Asked the factory for ${qty} × ${productId}.` });
  };
}

function RequestRow({ request }: { request: ProductionRequestView }) {
  const canCancel = request.state === 'Requested' && !request.cancelRequestedAt;
  return (
    <tr>
      <td>{formatDateTime(request.requestedAt)}</td>
      <td>{request.productId}</td>
      <td>{request.qty}</td>
      <td>
        {request.state}
        {request.cancelRequestedAt && request.state === 'Requested' && ' (cancellation asked)'}
        {request.cancelRefused && <div className="hint">Not cancelled: {request.cancelRefused}</div>}
        {request.reason && <div className="hint">{request.reason}</div>}
      </td>
      <td>{request.unitsDone}</td>
      <td>{request.requestedBy}</td>
      <td>
        {canCancel && (
          <RowActions
            fields={{ id: request.id }}
            actions={[
              {
                intent: 'cancel',
                label: (
                  <>
                    Cancel<span className="visually-hidden"> the request for {request.productId}</span>
                  </>
                ),
              },
            ]}
          />
        )}
      </td>
    </tr>
  );
}

export function ProductionPage() {
  const { requests, products } = useLoaderData() as ProductionData;
  const result = useActionData() as ProductionActionData | undefined;
  const errors = result?.fieldErrors ?? {};
  return (
    <section aria-labelledby="production-heading">
      <h1 id="production-heading">Production</h1>
      <Form method="post" noValidate className="admin-form production-form">
        <ActionMessage outcome={result} testId="production-status" />
        <CsrfField />
        <div className={errors.productId ? 'field has-error' : 'field'}>
          <label htmlFor="field-productId">Product</label>
          <select
            id="field-productId"
            name="productId"
            required
            aria-invalid={errors.productId ? true : undefined}
          >
            <option value="">Choose…</option>
            {products.map((product) => (
              <option key={product.id} value={product.id}>
                {product.heading}
              </option>
            ))}
          </select>
          {errors.productId && <p className="field-error">{errors.productId}</p>}
        </div>
        <div className={errors.qty ? 'field has-error' : 'field'}>
          <label htmlFor="field-qty">Units</label>
          <input
            id="field-qty"
            name="qty"
            type="number"
            min={1}
            max={MAX_UNITS}
            defaultValue={1}
            required
            aria-invalid={errors.qty ? true : undefined}
            aria-describedby={errors.qty ? 'field-qty-error' : undefined}
          />
          {errors.qty && (
            <p className="field-error" id="field-qty-error">
              {errors.qty}
            </p>
          )}
        </div>
        <button type="submit" name={INTENT_FIELD} value="request">
          Request production
        </button>
      </Form>
      <h2>Requests</h2>
      <table className="admin-table" data-testid="production-table">
        <caption className="visually-hidden">Production requests, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Asked</th>
            <th scope="col">Product</th>
            <th scope="col">Units</th>
            <th scope="col">State</th>
            <th scope="col">Done</th>
            <th scope="col">By</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {requests.map((request) => (
            <RequestRow key={request.id} request={request} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
