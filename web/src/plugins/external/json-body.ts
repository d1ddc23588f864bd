import { Errors } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Far deeper than any request schema nests (three levels), far shallower than a recursion can fail at. */
export const MAX_JSON_DEPTH = 32;

/**
 * How deeply a JSON text nests arrays and objects, counted without parsing (brackets inside strings
 * do not count); stops counting once past `limit`.
 */
export function jsonNestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (char === 0x5c) index++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Fastify's JSON parser (its `__proto__` and `constructor` checks kept), refusing bodies nested deeper
 * than MAX_JSON_DEPTH with a 400: JSON.parse copes with any depth, but code that walks a body
 * recursively (TypeBox's Value.Clone in the services) would overflow the stack and answer 500.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const parse = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = String(body); // a string already: parseAs
      if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
        return done(new Errors.Validation(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return parse(request, text, done);
    });
  },
  { name: 'az-shop-json-body' },
);
