import type { FastifyRequest } from 'fastify';

/**
 * Who a limit counts: the user once signed in (one person, many addresses), else the client address
 * (`request.ip`: the proxy-reported one only when TRUST_PROXY trusts the peer). Never the session's
 * anonymous cart id: dropping the cookie would give a fresh allowance.
 */
export function clientKey(request: FastifyRequest): string {
  const { user } = request;
  return user ? `user:${user.sub}` : `ip:${request.ip}`;
}
