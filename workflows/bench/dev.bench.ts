// `npm run bench -- dev`: the developer's loop (issue #17). In a copy of the checkout with its own pm2
// stack on free ports, the time from a saved file to the change being served: first with `npm start`
// after the edit (what every edit cost before), then with `npm run dev` running, for a page under
// web/src (rebuild web and the browser bundle, restart web) and for the client alone (no restart).
// Target: a change visible within 3 s.
import { loadavg } from 'node:os';
import { createSandbox, type DevProcess, servedWithin } from '../../tests/dev-loop/sandbox';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_MS = 3_000;
const PAGE = 'web/src/ui/footer.tsx';
const CLIENT = 'web/src/client/entry.tsx';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const s = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** The watcher's own figures for the change it printed after `from` ("… 1.23 s after the change"). */
function watcherFigures(dev: DevProcess, from: number) {
  const text = dev.output().slice(from);
  const figure = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) * 1000 : undefined;
  };
  return {
    rebuilt: figure(/rebuilt .* in ([\d.]+) s/),
    restarted: figure(/restarted .* ([\d.]+) s after the change/),
    ready: figure(/✓ .* ready ([\d.]+) s after the change/),
  };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
console.log(`load average at start: ${load()}`);
const sandbox = await createSandbox();
try {
  const home = `${sandbox.vars.WEB_BASE_URL}/`;
  const clientJs = `${sandbox.vars.WEB_BASE_URL}/assets/client.js`;
  let edits = 0;
  const editPage = () => {
    const marker = `made to order (bench ${++edits})`;
    sandbox.edit(PAGE, (text) => text.replace(/made to order( \(bench \d+\))?/, marker));
    return marker;
  };

  // Before: a full npm start (build everything, reload every app, wait until ready) per edit.
  sandbox.npmStart(); // the stack's first start, not measured
  // One round: it takes tens of seconds, and every reload of the stack is another chance for a loaded
  // machine to make an app miss a start-up timeout.
  const written = performance.now();
  const beforeMarker = editPage();
  let before = Number.NaN;
  try {
    sandbox.npmStart();
    before = await servedWithin(home, beforeMarker, written);
  } catch (error) {
    // On a loaded machine an app may miss a start-up timeout; npm run dev's figures still stand.
    const reason =
      /.* did not become ready .*/.exec((error as Error).message)?.[0] ?? (error as Error).message;
    console.log(`npm start after the edit failed, so no "before" figure: ${reason}`);
  }

  const dev = await sandbox.startDev();
  const rows: Record<string, string>[] = [];
  const page: number[] = [];
  const client: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let from = dev.output().length;
    let written = performance.now();
    const marker = editPage();
    const pageMs = await servedWithin(home, marker, written);
    await dev.waitForOutput(/✓ web ready/, { from });
    page.push(pageMs);
    const pageFigures = watcherFigures(dev, from);
    rows.push({
      change: `${PAGE} #${round + 1}`,
      rebuilt: s(pageFigures.rebuilt),
      restarted: s(pageFigures.restarted),
      'ready (probe)': s(pageFigures.ready),
      served: s(pageMs),
    });

    from = dev.output().length;
    written = performance.now();
    const clientMarker = `is missing (bench ${round + 1})`;
    sandbox.edit(CLIENT, (text) => text.replace(/is missing( \(bench \d+\))?/, clientMarker));
    const clientMs = await servedWithin(clientJs, clientMarker, written);
    await dev.waitForOutput(/no restart needed/, { from });
    client.push(clientMs);
    rows.push({
      change: `${CLIENT} #${round + 1}`,
      rebuilt: s(watcherFigures(dev, from).rebuilt),
      restarted: '–',
      'ready (probe)': '–',
      served: s(clientMs),
    });
  }

  console.log('\nnpm run dev: from the saved file to the change served');
  console.table(rows);
  // A failed "before" run leaves nothing to compare with.
  const shareOfBefore = (ms: number) =>
    Number.isFinite(before) ? `${Math.round((ms / before) * 100)}%` : '–';
  const verdict = (ms: number) => `${s(ms)}, target ≤ ${s(TARGET_MS)} ${ms <= TARGET_MS ? 'met' : 'NOT met'}`;
  console.table([
    {
      loop: 'npm start after the edit (before)',
      'served (median)': s(before),
      'share of before': '100%',
    },
    {
      loop: 'npm run dev, a page (restarts web)',
      'served (median)': verdict(median(page)),
      'share of before': shareOfBefore(median(page)),
    },
    {
      loop: 'npm run dev, client only',
      'served (median)': verdict(median(client)),
      'share of before': shareOfBefore(median(client)),
    },
  ]);
  console.log(`load average at the end: ${load()} (2 cores: above 2, other work shares them)`);
} finally {
  await sandbox.remove();
}
