import {
  Errors,
  FULFILMENT_STAGE,
  FULFILMENTS,
  type FulfilmentDocument,
  isDuplicateKey,
  PAYMENTS,
  type PaymentDocument,
  type PaymentStatus,
  TERMINAL_FULFILMENT_STAGES,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import { checkInput, invalidInput } from '../forms/validate';
import { paymentIdFor } from '../orders/ids';
import type { OrderService } from '../orders/service';
import { payByOf } from '../orders/views';
import { checkCard } from './card';
import { PAYMENT_HINTS, PaymentBody } from './inputs';
import type { PaymentProvider } from './provider';

export interface PaymentOutcome {
  paymentId: string;
  status: PaymentStatus;
  message?: string;
  /** false when this idempotency key had already made the attempt (its answer is repeated). */
  created: boolean;
}

export interface PaymentService {
  /**
   * One attempt to pay the user's order with a card, for the order's total. 400 (field `details`)
   * for a bad card, 404 for an order that is not the user's, 409 when paid already or too late.
   */
  pay(userId: string, orderId: string, input: unknown): Promise<PaymentOutcome>;
}

export interface PaymentServiceDeps {
  db: Db;
  orders: OrderService;
  provider: PaymentProvider;
  holdMinutes: number;
  now?: () => Date;
}

const DECLINED_MESSAGE = 'The card was declined';

export function paymentService({
  db,
  orders,
  provider,
  holdMinutes,
  now = () => new Date(),
}: PaymentServiceDeps): PaymentService {
  const payments = db.collection<PaymentDocument>(PAYMENTS);
  const fulfilments = db.collection<FulfilmentDocument>(FULFILMENTS);

  function outcome(payment: PaymentDocument, created: boolean): PaymentOutcome {
    return {
      paymentId: payment._id,
      status: payment.status,
      created,
      ...(payment.status === 'declined' && { message: DECLINED_MESSAGE }),
    };
  }

  return {
    async pay(userId, orderId, input) {
      const checked = checkInput(PaymentBody, input, PAYMENT_HINTS);
      if (!checked.ok) throw invalidInput(checked.problems);
      const order = await orders.find(userId, orderId);
      if (!order) throw new Errors.NotFound('Order');

      const paymentId = paymentIdFor(orderId, checked.value.idempotencyKey);
      const repeat = await payments.findOne({ _id: paymentId });
      if (repeat) return outcome(repeat, false);
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
      if (payByOf(order, holdMinutes) <= now())
        throw new Errors.Conflict('The time to pay this order has run out');

      const card = checkCard(checked.value, now());
      const problems = card.ok ? provider.checkCard(card.card) : card.problems;
      if (!card.ok || problems.length > 0) throw invalidInput(problems, 'Check the card details');

      const authorization = await provider.authorize({
        paymentId,
        amount: order.total,
        currency: order.currency,
        card: card.card,
      });
      const payment: PaymentDocument = {
        _id: paymentId,
        partition_key: userId,
        orderId,
        userId,
        provider: provider.name,
        amount: order.total,
        currency: order.currency,
        status: authorization.status,
        providerReference: authorization.reference,
        cardLast4: card.card.number.slice(-4),
        createdAt: now(),
      };
      try {
        await payments.insertOne(payment);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const stored = await payments.findOne({ _id: paymentId });
        if (stored) return outcome(stored, false);
        // Another attempt for this order was authorized meanwhile (one_authorized_per_order).
        await provider.voidAuthorization(authorization.reference);
        throw new Errors.Conflict('This order is paid already');
      }
      return outcome(payment, true);
    },
  };
}
