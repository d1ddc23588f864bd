import type { PlaywrightTestConfig } from '@playwright/test';

/**
 * How both Playwright configs (the e2e suite's and the smoke suite's) run the browser: Debian's
 * Chromium, never a downloaded one. It lives here because the smoke image copies only
 * playwright.smoke.config.ts and tests/smoke (workflows/container/smoke.Dockerfile).
 */
export const chromium = {
  browserName: 'chromium',
  headless: true,
  trace: 'retain-on-failure',
  screenshot: 'only-on-failure',
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  },
} satisfies PlaywrightTestConfig['use'];
