import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { type OrderService, orderService } from '../../orders/service';
import { type PaymentProvider, paymentProviderFor } from '../../payments';
import { type PaymentService, paymentService } from '../../payments/service';
import { type WebhookReceiver, webhookReceiver } from '../../payments/webhooks';

declare module 'fastify' {
  interface FastifyInstance {
    orders: OrderService;
    payments: PaymentService;
    paymentProvider: PaymentProvider;
    /** Applies a provider's webhook (the route, and the dev provider's page, call it). */
    paymentWebhooks: WebhookReceiver;
  }
}

/** Checkout, orders with what ordering says about them, cancellations, and payments. */
export const ordersPlugin = fp<{ config: WebConfig; paymentProvider?: PaymentProvider }>(
  async (app: FastifyInstance, { config, paymentProvider }) => {
    const holdMinutes = config.HOLD_MINUTES;
    const orders = orderService({
      db: app.db,
      products: app.products,
      carts: app.carts,
      holdMinutes,
      unpaidCap: { maxOrders: config.MAX_UNPAID_ORDERS_PER_USER, maxUnits: config.MAX_HELD_UNITS_PER_USER },
    });
    const provider = paymentProvider ?? paymentProviderFor(config);
    app.decorate('orders', orders);
    app.decorate('paymentProvider', provider);
    app.decorate(
      'payments',
      paymentService({ db: app.db, orders, provider, holdMinutes, baseUrl: config.WEB_BASE_URL }),
    );
    app.decorate('paymentWebhooks', webhookReceiver({ db: app.db, provider, logger: app.log }));
  },
  { name: 'az-shop-orders', dependencies: ['az-shop-mongo', 'az-shop-products', 'az-shop-carts'] },
);
