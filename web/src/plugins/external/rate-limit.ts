import { Errors, type MongoFlavour } from '@az-shop/common';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';
import type { WebConfig } from '../../config';
import { clientKey } from '../../limits/client-key';
import { ensureRateLimitIndexes, mongoRateLimitStore } from '../../limits/mongo-rate-limit-store';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook limiting sign-ins started per client address (`/auth/login`). */
    loginRateLimit: onRequestAsyncHookHandler;
    /**
     * onRequest hooks limiting per user (or client address before sign-in); a route's API and form
     * share one counter by using the same hook: `{ onRequest: app.checkoutRateLimit }` on both.
     */
    checkoutRateLimit: onRequestAsyncHookHandler;
    paymentRateLimit: onRequestAsyncHookHandler;
    cartRateLimit: onRequestAsyncHookHandler;
    cancelRateLimit: onRequestAsyncHookHandler;
  }
}

/**
 * Rate limits on the routes worth abusing, not globally. The limits are hooks built on the plugin's
 * one store, so two routes using the same hook (the API and the form of checkout) count together;
 * a per-route `config.rateLimit` would give each route its own store. The store is MongoDB, so every
 * web instance counts against the same limit. A route takes at most one of these hooks: the plugin
 * runs only the first limit a request meets.
 */
export const rateLimitPlugin = fp<{ config: WebConfig; db: Db; flavour: MongoFlavour }>(
  async (app: FastifyInstance, { config, db, flavour }) => {
    await ensureRateLimitIndexes(db, flavour);
    await app.register(rateLimit, {
      global: false,
      store: mongoRateLimitStore(db),
      errorResponseBuilder: (_request, context) =>
        new Errors.RateLimited(`Too many requests; try again in ${context.after}`),
    });
    const timeWindow = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const limit = (name: string, max: number, perUser = true) =>
      app.rateLimit({
        max,
        timeWindow,
        keyGenerator: (request) => `${name}:${perUser ? clientKey(request) : `ip:${request.ip}`}`,
      }) as onRequestAsyncHookHandler;
    app.decorate('loginRateLimit', limit('login', config.LOGIN_RATE_LIMIT_MAX, false));
    app.decorate('checkoutRateLimit', limit('checkout', config.CHECKOUT_RATE_LIMIT_MAX));
    app.decorate('paymentRateLimit', limit('payment', config.PAYMENT_RATE_LIMIT_MAX));
    app.decorate('cartRateLimit', limit('cart', config.CART_RATE_LIMIT_MAX));
    app.decorate('cancelRateLimit', limit('cancel', config.CANCEL_RATE_LIMIT_MAX));
  },
  { name: 'az-shop-rate-limit', dependencies: ['az-shop-session'] },
);
