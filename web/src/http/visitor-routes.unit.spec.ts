import { describe, expect, it } from 'vitest';
import { readsVisitor } from './visitor-routes';

describe('readsVisitor', () => {
  it('given a catalog, image, asset or probe GET, when classified, then it reads no visitor', () => {
    for (const url of ['/api/products/:id', '/images/*', '/assets/client-ABCD1234.js', '/healthz'])
      expect(readsVisitor('GET', url), url).toBe(false);
    expect(readsVisitor('HEAD', '/images/*')).toBe(false);
  });

  it('given a page, the session API or an event stream, when classified, then it reads the visitor', () => {
    for (const url of ['/', '/products/:id', '/api/session', '/api/products/:id/availability/events'])
      expect(readsVisitor('GET', url), url).toBe(true);
  });

  it('given any state-changing method, even on a visitor-free URL, when classified, then it reads the visitor', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(readsVisitor(method, '/api/products')).toBe(true);
  });

  it('given no route (the 404 handler), when classified, then it reads no visitor', () => {
    expect(readsVisitor('GET', undefined)).toBe(false);
    expect(readsVisitor('POST', undefined)).toBe(false);
  });
});
