import { defineConfig } from '@playwright/test';
import { chromium } from './tests/smoke/chromium';

// End-to-end tests run against their own pm2 stack (tests/e2e/global-setup.ts: separate PM2_HOME,
// free ports, throw-away data), in Debian's Chromium: never a downloaded browser.
export default defineConfig({
  testDir: './tests/e2e',
  testMatch: '**/*.e2e.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  globalTeardown: './tests/e2e/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: chromium,
});
