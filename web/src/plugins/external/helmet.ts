import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isHttps, type WebConfig } from '../../config';
import { paymentPageOrigins } from '../../payments';

/**
 * Security headers. Scripts run only from our own origin or with the per-request nonce (React's
 * streaming SSR swaps Suspense boundaries in with small inline scripts that carry it). Forms may post
 * to the identity provider because sign-out ends there, and to the payment provider's page (the pay
 * form's redirect).
 */
export const helmetPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const https = isHttps(config);
    await app.register(helmet, {
      enableCSPNonces: true,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'", new URL(config.OIDC_ISSUER).origin, ...paymentPageOrigins(config)],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          // Upgrading would break the plain-http dev setup on 127.0.0.1.
          upgradeInsecureRequests: https ? [] : null,
        },
      },
      hsts: https,
    });
  },
  { name: 'az-shop-helmet' },
);
