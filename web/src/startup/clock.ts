/**
 * Milliseconds of each phase of web's start, for its "web ready" line: where a (re)start spends its
 * time (`npm run dev` restarts web on every server change, docs in the root README). `performance.now()`
 * counts from the process's start, so the first phase (`imports`: Node, `--import telemetry.js` and the
 * bundle's imports) is what passed before main.ts ran its first line.
 */
export function startupClock(now: () => number = () => performance.now()) {
  let last = now();
  const phases: Record<string, number> = { imports: Math.round(last) };
  return {
    /** Ends the phase running since the last mark (or since the imports), named `name`. */
    mark(name: string): void {
      const at = now();
      phases[name] = Math.round(at - last);
      last = at;
    },
    /** Every phase so far, and `total`: from the process's start to the last mark. */
    phases(): Record<string, number> {
      return { ...phases, total: Math.round(last) };
    },
  };
}
