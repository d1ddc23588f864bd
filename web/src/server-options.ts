import type { ServiceServerOptions } from '@az-shop/common';
import { trustProxyOption, type WebConfig } from './config';

/**
 * The web server's socket-level settings. `requestTimeout` bounds how long a request may take to
 * arrive (headers and body: a slow-loris client), never the answer, so live event streams and
 * streamed pages are not cut; Node checks it every `connectionsCheckingInterval`, so that follows the
 * timeout. No idle `connectionTimeout`: keep-alive sockets already close after Fastify's 72 s.
 */
export function serverOptions(config: WebConfig): ServiceServerOptions {
  const requestTimeout = Math.round(config.REQUEST_TIMEOUT_SECONDS * 1000);
  return {
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    requestTimeout,
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(requestTimeout / 4))) },
  };
}
