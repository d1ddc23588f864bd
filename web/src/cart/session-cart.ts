import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import '../auth/session-data';
import { cartId } from './rules';

/**
 * The visitor's cart id: the user's once signed in, else the anonymous one from the session. With
 * `create`, a visitor without one gets a new random id in the session (on the first cart write).
 */
export function sessionCartId(request: FastifyRequest, create: true): string;
export function sessionCartId(request: FastifyRequest, create?: false): string | null;
export function sessionCartId(request: FastifyRequest, create = false): string | null {
  if (request.user) return cartId({ kind: 'user', sub: request.user.sub });
  let id = request.session.get('cartId');
  if (!id && create) {
    id = randomBytes(16).toString('base64url');
    request.session.set('cartId', id);
  }
  return id ? cartId({ kind: 'anonymous', id }) : null;
}
