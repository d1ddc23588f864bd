import {
  Errors,
  FULFILMENT_STAGE,
  FULFILMENTS,
  type FulfilmentDocument,
  isDuplicateKey,
  PAYMENTS,
  type PaymentDocument,
  TERMINAL_FULFILMENT_STAGES,
  withTraceparent,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import { checkInput, invalidInput } from '../forms/validate';
import { paymentIdFor } from '../orders/ids';
import type { OrderService } from '../orders/service';
import { payByOf } from '../orders/views';
import { PAYMENT_HINTS, PaymentBody } from './inputs';
import type { PaymentProvider } from './provider';

export interface PaymentStart {
  paymentId: string;
  /** The provider's page: the browser goes there to pay. */
  redirectUrl: string;
  /** false when this idempotency key had already started the attempt (its page is given again). */
  created: boolean;
}

export interface PaymentService {
  /**
   * Starts one attempt to pay the user's order (for its total) on the provider's page. 400 for a bad
   * key, 404 for an order that is not the user's, 409 when paid already or too late.
   */
  start(userId: string, orderId: string, input: unknown): Promise<PaymentStart>;
  /** The user's payment attempt, or null (someone else's included). */
  find(userId: string, paymentId: string): Promise<PaymentDocument | null>;
}

export interface PaymentServiceDeps {
  db: Db;
  orders: OrderService;
  provider: PaymentProvider;
  holdMinutes: number;
  /** Public origin: the provider sends the shopper back here. */
  baseUrl: string;
  now?: () => Date;
}

export function paymentService({
  db,
  orders,
  provider,
  holdMinutes,
  baseUrl,
  now = () => new Date(),
}: PaymentServiceDeps): PaymentService {
  const payments = db.collection<PaymentDocument>(PAYMENTS);
  const fulfilments = db.collection<FulfilmentDocument>(FULFILMENTS);

  const started = (payment: PaymentDocument, created: boolean): PaymentStart => ({
    paymentId: payment._id,
    redirectUrl: payment.redirectUrl ?? '',
    created,
  });

  async function refuseIfUnpayable(userId: string, orderId: string, payBy: Date): Promise<void> {
    if (
      await payments.findOne(
        { orderId, partition_key: userId, status: 'authorized' },
        { projection: { _id: 1 } },
      )
    )
      throw new Errors.Conflict('This order is paid already');
    const fulfilment = await fulfilments.findOne({ _id: orderId }, { projection: { stage: 1, paid: 1 } });
    if (fulfilment?.paid) throw new Errors.Conflict('This order is paid already');
    if (fulfilment && TERMINAL_FULFILMENT_STAGES.includes(fulfilment.stage))
      throw new Errors.Conflict(
        fulfilment.stage === FULFILMENT_STAGE.Expired
          ? 'The time to pay this order has run out'
          : `This order can no longer be paid (${fulfilment.stage})`,
      );
    if (payBy <= now()) throw new Errors.Conflict('The time to pay this order has run out');
  }

  return {
    find: (userId, paymentId) => payments.findOne({ _id: paymentId, partition_key: userId }),

    async start(userId, orderId, input) {
      const checked = checkInput(PaymentBody, input, PAYMENT_HINTS);
      if (!checked.ok) throw invalidInput(checked.problems);
      const order = await orders.find(userId, orderId);
      if (!order) throw new Errors.NotFound('Order');

      const paymentId = paymentIdFor(orderId, checked.value.idempotencyKey);
      const repeat = await payments.findOne({ _id: paymentId });
      if (repeat) return started(repeat, false);
      await refuseIfUnpayable(userId, orderId, payByOf(order, holdMinutes));

      // The provider's own idempotency (keyed by paymentId) makes a retry after a crash here the same page.
      const orderUrl = `${baseUrl}/orders/${encodeURIComponent(orderId)}`;
      const checkout = await provider.createCheckout({
        paymentId,
        orderId,
        amount: order.total,
        currency: order.currency,
        successUrl: orderUrl,
        cancelUrl: `${orderUrl}/pay`,
      });
      const payment: PaymentDocument = {
        _id: paymentId,
        partition_key: userId,
        orderId,
        userId,
        provider: provider.name,
        amount: order.total,
        currency: order.currency,
        status: 'pending',
        providerReference: checkout.reference,
        redirectUrl: checkout.redirectUrl,
        createdAt: now(),
      };
      try {
        await payments.insertOne(withTraceparent(payment));
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const stored = await payments.findOne({ _id: paymentId });
        if (!stored) throw error;
        return started(stored, false);
      }
      return started(payment, true);
    },
  };
}
