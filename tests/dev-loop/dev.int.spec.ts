// `npm run dev` end to end, in a copy of the checkout with its own pm2 stack on free ports: a saved
// file is served after a rebuild and a restart of only the apps that use it. Times are printed, not
// asserted (the 3 s target is `npm run bench -- dev`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pm2Apps } from '../../workflows/pm2.mjs';
import { createSandbox, type DevProcess, type Sandbox, servedWithin } from './sandbox';

let sandbox: Sandbox;
let dev: DevProcess;

beforeAll(async () => {
  sandbox = await createSandbox();
  dev = await sandbox.startDev();
}, 300_000);

afterAll(async () => {
  await sandbox?.remove();
}, 60_000);

const restartsOf = (): Record<string, number> =>
  Object.fromEntries(
    pm2Apps(sandbox.env).map((app: { name: string; restarts: number }) => [app.name, app.restarts]),
  );

const FOOTER = 'web/src/ui/footer.tsx';
const CLIENT_ENTRY = 'web/src/client/entry.tsx';

describe('npm run dev', () => {
  it('serves a saved change to a page under web/src after restarting web alone', async () => {
    const before = restartsOf();
    const from = dev.output().length;
    const written = performance.now();
    sandbox.edit(FOOTER, (text) => text.replace('made to order', 'made to order (edit one)'));

    const ms = await servedWithin(`${sandbox.vars.WEB_BASE_URL}/`, 'made to order (edit one)', written);
    console.log(`web/src edit served ${(ms / 1000).toFixed(2)} s after the write`);
    await dev.waitForOutput(/✓ web ready/, { from });
    expect(dev.output().slice(from)).toMatch(/rebuilt web, browser bundle in .*\n {2}restarted web /);
    const after = restartsOf();
    expect(after.web).toBe(before.web! + 1);
    for (const app of ['mongo', 'blob', 'idp', 'factory', 'ordering']) expect(after[app]).toBe(before[app]);
  });

  it('rebuilds the browser bundle for a change to the client alone, without restarting web', async () => {
    const before = restartsOf();
    const from = dev.output().length;
    const written = performance.now();
    sandbox.edit(CLIENT_ENTRY, (text) => text.replace('is missing from the page', 'is missing (edit two)'));

    const ms = await servedWithin(
      `${sandbox.vars.WEB_BASE_URL}/assets/client.js`,
      'is missing (edit two)',
      written,
    );
    console.log(`web/src/client edit served ${(ms / 1000).toFixed(2)} s after the write`);
    await dev.waitForOutput(/rebuilt browser bundle in .*\n {2}no restart needed/, { from });
    expect(restartsOf()).toEqual(before);
  });

  it('reports a change that does not build and leaves web serving its last build', async () => {
    const before = restartsOf();
    const from = dev.output().length;
    sandbox.edit(FOOTER, (text) =>
      text.replace('(edit one)', '(edit three)').replace('</footer>', '</footr>'),
    );

    await dev.waitForOutput(/✗ web did not build \(errors above\); web keeps running its last build/, {
      from,
    });
    expect(dev.output().slice(from)).toContain('footer.tsx');
    const page = await fetch(`${sandbox.vars.WEB_BASE_URL}/`).then((response) => response.text());
    expect(page).toContain('made to order (edit one)');
    expect(restartsOf()).toEqual(before);

    const fixed = dev.output().length;
    sandbox.edit(FOOTER, (text) => text.replace('</footr>', '</footer>'));
    await servedWithin(`${sandbox.vars.WEB_BASE_URL}/`, 'made to order (edit three)', performance.now());
    await dev.waitForOutput(/restarted web /, { from: fixed });
  });

  it('restarts the three services, and no dev server, for a change to common', async () => {
    const before = restartsOf();
    const from = dev.output().length;
    sandbox.edit('common/src/logger.ts', (text) => `${text}\n// edited by the dev loop's test\n`);

    await dev.waitForOutput(/✓ factory, ordering, web ready/, { from, timeoutMs: 120_000 });
    const after = restartsOf();
    for (const app of ['factory', 'ordering', 'web']) expect(after[app]).toBe(before[app]! + 1);
    for (const app of ['mongo', 'blob', 'idp']) expect(after[app]).toBe(before[app]);
  });
});
