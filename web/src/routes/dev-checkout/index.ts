import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type DevPaymentProvider, devCardOutcome } from '../../payments/dev-provider';
import { signedIn } from '../../plugins/app/auth';
import { devCheckoutPage } from './page';

const Params = Type.Object(
  { paymentId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
const CardForm = Type.Object(
  {
    // Checked by app.csrfProtection, which also takes it from the x-csrf-token header.
    _csrf: Type.Optional(Type.String({ maxLength: 200 })),
    cardNumber: Type.String({ maxLength: 23 }),
  },
  { additionalProperties: false },
);

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

/**
 * The dev provider's hosted page (registered only with PAYMENT_PROVIDER=dev): the shopper types a
 * test card, the provider's side signs the webhook it would send and web receives it through the
 * same code as a real one, then the shopper is sent back to the order (or to pay again if declined).
 */
export default async function devCheckoutRoutes(
  fastify: FastifyInstance,
  { provider }: { provider: DevPaymentProvider },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  async function pendingPayment(request: Parameters<typeof signedIn>[0], paymentId: string) {
    const payment = await app.payments.find(signedIn(request).sub, paymentId);
    if (!payment) throw new Errors.NotFound('Payment');
    return payment;
  }

  app.get(
    '/:paymentId',
    { onRequest: app.requireUser, schema: { params: Params } },
    async (request, reply) => {
      const payment = await pendingPayment(request, request.params.paymentId);
      if (payment.status !== 'pending') return reply.redirect(orderPath(payment.orderId), 303);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(devCheckoutPage(payment, reply.generateCsrf()));
    },
  );

  app.post(
    '/:paymentId',
    {
      onRequest: app.requireUser,
      preHandler: app.csrfProtection,
      schema: { params: Params, body: CardForm },
    },
    async (request, reply) => {
      const payment = await pendingPayment(request, request.params.paymentId);
      if (payment.status !== 'pending') return reply.redirect(orderPath(payment.orderId), 303);
      const outcome = devCardOutcome(request.body.cardNumber);
      if (!outcome)
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            devCheckoutPage(
              payment,
              reply.generateCsrf(),
              'Use a test card: 4242 4242 4242 4242 or 4000 0000 0000 0002',
            ),
          );
      const webhook = provider.completeCheckout(
        { paymentId: payment._id, reference: payment.providerReference ?? '' },
        outcome,
      );
      await app.paymentWebhooks(webhook.rawBody, webhook.signature);
      const next =
        outcome === 'authorized'
          ? orderPath(payment.orderId)
          : `${orderPath(payment.orderId)}/pay?declined=1`;
      return reply.redirect(next, 303);
    },
  );
}
