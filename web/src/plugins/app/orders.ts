import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { type OrderService, orderService } from '../../orders/service';
import { devPaymentProvider } from '../../payments/dev-provider';
import type { PaymentProvider } from '../../payments/provider';
import { type PaymentService, paymentService } from '../../payments/service';

declare module 'fastify' {
  interface FastifyInstance {
    orders: OrderService;
    payments: PaymentService;
    paymentProvider: PaymentProvider;
  }
}

function providerFor(config: WebConfig): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'dev':
      return devPaymentProvider();
  }
}

/** Checkout, orders with what ordering says about them, cancellations, and card payments. */
export const ordersPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const holdMinutes = config.HOLD_MINUTES;
    const orders = orderService({
      db: app.db,
      products: app.products,
      carts: app.carts,
      holdMinutes,
      unpaidCap: { maxOrders: config.MAX_UNPAID_ORDERS_PER_USER, maxUnits: config.MAX_HELD_UNITS_PER_USER },
    });
    const provider = providerFor(config);
    app.decorate('orders', orders);
    app.decorate('paymentProvider', provider);
    app.decorate('payments', paymentService({ db: app.db, orders, provider, holdMinutes }));
  },
  { name: 'az-shop-orders', dependencies: ['az-shop-mongo', 'az-shop-products', 'az-shop-carts'] },
);
