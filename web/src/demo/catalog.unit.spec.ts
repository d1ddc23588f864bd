import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES, DEMO_PRODUCTS, demoImageFile } from './catalog';
import { findDemoImagesDir } from './images';

const imagesDir = findDemoImagesDir();

describe('the demo catalog', () => {
  it('has unique ids, known categories, a hero and stock of 3–8 per product', () => {
    const ids = [...DEMO_CATEGORIES, ...DEMO_PRODUCTS.map((product) => ({ _id: product.id }))].map(
      (document) => document._id,
    );
    expect(new Set(ids).size).toBe(ids.length);
    const categories = new Set(DEMO_CATEGORIES.map((category) => category._id));
    for (const product of DEMO_PRODUCTS) {
      expect(categories.has(product.categoryId)).toBe(true);
      expect(product.stock).toBeGreaterThanOrEqual(3);
      expect(product.stock).toBeLessThanOrEqual(8);
    }
    expect(DEMO_PRODUCTS.some((product) => product.position === 'hero')).toBe(true);
  });

  it.each(DEMO_PRODUCTS.map((product) => [product.id]))('has a small self-contained SVG for %s', (id) => {
    const svg = readFileSync(join(imagesDir, demoImageFile({ id })), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 400 300"/);
    expect(svg).toMatch(/<title>[^<]+<\/title>/);
    expect(svg.length).toBeLessThan(3 * 1024);
    // Nothing fetched from elsewhere: no links, fonts, scripts or embedded images.
    expect(svg).not.toMatch(/href=|@import|<script|<image|<text|font-family/i);
  });
});

describe('findDemoImagesDir', () => {
  it('walks up to the nearest demo-images folder, the one beside a bundle first', () => {
    const root = mkdtempSync(join(tmpdir(), 'demo-images-'));
    const bundleDir = join(root, 'web', 'dist');
    mkdirSync(join(root, 'web', 'demo-images'), { recursive: true });
    mkdirSync(join(bundleDir, 'nested'), { recursive: true });
    expect(findDemoImagesDir(join(bundleDir, 'nested'))).toBe(join(root, 'web', 'demo-images'));
    mkdirSync(join(bundleDir, 'demo-images'));
    expect(findDemoImagesDir(join(bundleDir, 'nested'))).toBe(join(bundleDir, 'demo-images'));
    rmSync(root, { recursive: true });
    expect(() => findDemoImagesDir('/')).toThrow(/imagesDir/);
  });
});
