import { describe, expect, it } from 'vitest';
import { publicOrigins } from './public-origins';

const SHOP = 'https://shop.example.com';
const PREVIEW = 'https://preview.shop.example.com';

function origins(TRUST_PROXY: string, preview = true) {
  return publicOrigins({
    WEB_BASE_URL: SHOP,
    TRUST_PROXY,
    ...(preview && { WEB_PREVIEW_BASE_URL: PREVIEW }),
  });
}

describe('publicOrigins', () => {
  it('lists the shop origin first, then the preview origin when there is one', () => {
    expect(origins('false').all).toEqual([SHOP, PREVIEW]);
    expect(origins('false', false).all).toEqual([SHOP]);
    expect(origins('false').primary).toBe(SHOP);
  });

  describe('without a trusted proxy (TLS ends before the app: the Host header picks)', () => {
    const list = origins('false');

    it('answers for the configured origin whose host the request names', () => {
      expect(list.of({ host: 'preview.shop.example.com', protocol: 'http' })).toBe(PREVIEW);
      expect(list.of({ host: 'shop.example.com', protocol: 'http' })).toBe(SHOP);
      expect(list.of({ host: 'Preview.Shop.Example.com:443', protocol: 'http' })).toBe(PREVIEW);
    });

    it('falls back to the shop origin for any other host, never reflecting it', () => {
      for (const host of [
        'evil.example',
        'preview.shop.example.com.evil.example',
        'evil@preview.shop.example.com',
        'preview.shop.example.com:8443',
        'preview.shop.example.com/x',
        '',
      ]) {
        expect(list.of({ host, protocol: 'https' }), host).toBe(SHOP);
      }
    });

    it('counts TRUST_PROXY=0 (no hop trusted) as no proxy', () => {
      expect(origins('0').of({ host: 'preview.shop.example.com', protocol: 'http' })).toBe(PREVIEW);
    });

    it('has only the shop origin when no preview origin is configured', () => {
      expect(origins('false', false).of({ host: 'preview.shop.example.com', protocol: 'https' })).toBe(SHOP);
    });
  });

  describe('behind a trusted proxy (X-Forwarded-Proto/-Host): scheme, host and port must all match', () => {
    const list = origins('1');

    it('answers for the preview origin only over its scheme', () => {
      expect(list.of({ host: 'preview.shop.example.com', protocol: 'https' })).toBe(PREVIEW);
      expect(list.of({ host: 'preview.shop.example.com', protocol: 'http' })).toBe(SHOP);
      expect(list.of({ host: 'evil.example', protocol: 'https' })).toBe(SHOP);
    });
  });

  it('tells configured origins from any other, exactly', () => {
    const list = origins('false');
    expect([SHOP, PREVIEW].map((origin) => list.allows(origin))).toEqual([true, true]);
    for (const other of [
      'https://evil.example',
      'http://preview.shop.example.com',
      'https://preview.shop.example.com:8443',
      'https://shop.example.com.evil.example',
      'null',
    ]) {
      expect(list.allows(other), other).toBe(false);
    }
  });
});
