import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { randomPool } from '../../http/random-pool';
import { type CspNonces, securityHeaders } from '../../http/security-headers';

declare module 'fastify' {
  interface FastifyReply {
    /** This answer's CSP nonces, made when first read: a page reads them, other answers never do. */
    readonly cspNonce: CspNonces;
  }
}

const NONCES = Symbol('cspNonces');
type WithNonces = { [NONCES]: CspNonces | null };

/** A system call per 128 pages rather than per page: pages are made by the thousand per second. */
const random = randomPool();

function newNonces(): CspNonces {
  // 128 random bits each, from one draw.
  const bytes = random.base64(32);
  return { script: bytes.slice(0, 22), style: bytes.slice(22, 44) };
}

/**
 * Security headers at the cost each answer needs (issue #18): the few that matter for any answer are
 * fixed strings set before the route runs (a route may replace them, as images do their CSP); an HTML
 * answer, whatever route or error handler made it, gets helmet's full set and a CSP with its own
 * nonces when it is sent. Nonces are made only for answers that read them or are HTML.
 */
export const securityHeadersPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const headers = securityHeaders(config);
    app.decorateReply(NONCES, null);
    app.decorateReply('cspNonce', {
      getter(this: FastifyReply) {
        // A symbol-named decorator: Fastify's types know only string names.
        const reply = this as unknown as WithNonces;
        reply[NONCES] ??= newNonces();
        return reply[NONCES];
      },
    });
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers.every) reply.header(name, value);
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('text/html')) {
        for (const [name, value] of headers.page(reply.cspNonce)) reply.header(name, value);
      }
      done(null, payload);
    });
  },
  { name: 'az-shop-security-headers' },
);
