import { Errors } from '@az-shop/common';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import '../../auth/session-data';
import type { WebConfig } from '../../config';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook limiting sign-ins started per client address (`/auth/login`). */
    loginRateLimit: onRequestAsyncHookHandler;
    /**
     * onRequest hook limiting checkouts per user; `POST /api/checkout` and the checkout page's POST
     * share one counter: `{ onRequest: app.checkoutRateLimit }` on both.
     */
    checkoutRateLimit: onRequestAsyncHookHandler;
  }
}

/** Per user once signed in (one person, many addresses), else per address. */
function userOrAddress(prefix: string) {
  return (request: FastifyRequest) => {
    const { user } = request;
    return `${prefix}:${user ? `user:${user.sub}` : `ip:${request.ip}`}`;
  };
}

/**
 * Rate limits on the routes worth abusing, not globally. The limits are hooks built on the plugin's
 * one store, so two routes using the same hook (the API and the form of checkout) count together;
 * a per-route `config.rateLimit` would give each route its own store.
 */
export const rateLimitPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new Errors.RateLimited(`Too many requests; try again in ${context.after}`),
    });
    const timeWindow = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    app.decorate(
      'loginRateLimit',
      app.rateLimit({
        max: config.LOGIN_RATE_LIMIT_MAX,
        timeWindow,
        keyGenerator: (request) => `login:ip:${request.ip}`,
      }) as onRequestAsyncHookHandler,
    );
    app.decorate(
      'checkoutRateLimit',
      app.rateLimit({
        max: config.CHECKOUT_RATE_LIMIT_MAX,
        timeWindow,
        keyGenerator: userOrAddress('checkout'),
      }) as onRequestAsyncHookHandler,
    );
  },
  { name: 'az-shop-rate-limit', dependencies: ['az-shop-session'] },
);
