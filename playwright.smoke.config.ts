import { defineConfig } from '@playwright/test';
import { chromium } from './tests/smoke/chromium';

// The smoke suite: a few read-only checks of a deployed shop (browse, cart, sign-in, every service's
// readiness), run before a release takes traffic (Argo's prePromotionAnalysis `smoke`) and by
// `npm run smoke`. It starts nothing: BASE_URL says which shop to check (tests/smoke/README.md).
const baseURL = process.env.BASE_URL;
if (!baseURL) {
  throw new Error(
    'BASE_URL is required: the shop to check, e.g. BASE_URL=https://preview.shop.example npm run smoke (tests/smoke/README.md)',
  );
}

export default defineConfig({
  testDir: './tests/smoke',
  testMatch: '**/*.smoke.spec.ts',
  // Its own output dir: a smoke run inside the e2e suite must not wipe the e2e run's test-results.
  outputDir: process.env.SMOKE_OUTPUT_DIR ?? 'test-results/smoke',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    ...chromium,
  },
});
