import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `npm run screenshots`: the same throw-away pm2 stack and Chromium as the end-to-end tests; the
// pictures land in docs/screenshots (docs/back-office.md and the README show them).
export default defineConfig({
  ...base,
  testDir: './tests/screenshots',
  testMatch: '**/*.shots.ts',
  timeout: 120_000,
  reporter: [['list']],
  use: { ...base.use, viewport: { width: 1280, height: 800 } },
});
