import type { Db } from 'mongodb';
import type { Logger } from '../logger';
import { PARKED_EVENTS, type ParkedEvent } from '../processor/parking';
import { type ReleaseColour, setActiveColour } from './control';
import { heldByOthers, liveProcessors, notHeldBy, processorsRunBy, readOwnership } from './ownership';

export interface HandOverOptions {
  db: Db;
  to: ReleaseColour;
  /** Who asked (recorded on the control document). */
  by: string;
  logger: Logger;
  /** How long the new colour may take to hold every bucket. */
  timeoutMs?: number;
  /** How long the new colour must keep every bucket, with no new parked event, before the hand-over counts. */
  watchMs?: number;
  pollMs?: number;
  /** Processors the new release no longer has: not waited for. */
  retired?: string[];
}

export type HandOverResult =
  | { ok: true; from: ReleaseColour | null; to: ReleaseColour; processors: string[] }
  | { ok: false; from: ReleaseColour | null; to: ReleaseColour; reason: string; handedBack: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Events of `processors` parked since `since` (a replay of an older one changes nothing here).
 * `parkedAt` is written by each processor's clock and `since` by this tool's: clocks within a lease
 * TTL (NTP, as leases need) are close enough. parked_events' index narrows it to the processors.
 */
function parkedSince(db: Db, processors: Iterable<string>, since: Date): Promise<number> {
  return db.collection<ParkedEvent>(PARKED_EVENTS).countDocuments({
    processor: { $in: [...processors] },
    parkedAt: { $gte: since },
  });
}

/**
 * Waits until `colour` holds every bucket of the processors expected (those live when it began,
 * plus those `colour` runs), or the deadline passes. Returns the processors not held then (empty on success).
 */
async function waitUntilHeld(
  db: Db,
  colour: ReleaseColour,
  expected: Set<string>,
  deadline: number,
  pollMs: number,
): Promise<string[]> {
  for (;;) {
    for (const name of await processorsRunBy(db, colour)) expected.add(name);
    const missing = notHeldBy(await readOwnership(db), colour, expected);
    if (expected.size > 0 && missing.length === 0) return [];
    if (Date.now() >= deadline)
      return expected.size === 0 ? ['(no processor of this colour is running)'] : missing;
    await sleep(pollMs);
  }
}

/**
 * Hands the processors to `to`: records it as the active colour (the old colour's gated services
 * stop and release their leases; the new colour's start and take them), waits until `to` holds every
 * bucket, then watches for `watchMs` that it keeps them and parks nothing new. On any failure it
 * hands them back to the colour that had them, so a failed post-promotion step leaves the
 * processors where the traffic goes back to.
 */
export async function handOver(options: HandOverOptions): Promise<HandOverResult> {
  const { db, to, by, logger } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const watchMs = options.watchMs ?? 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const retired = new Set(options.retired ?? []);
  const initial = liveProcessors(await readOwnership(db)).filter((name) => !retired.has(name));
  const expected = new Set(initial);
  const began = new Date();
  const from = await setActiveColour(db, to, by);
  logger.info({ from, to, expected: [...expected] }, 'processors handed over; waiting for the new colour');

  let reason: string | undefined;
  const missing = await waitUntilHeld(db, to, expected, Date.now() + timeoutMs, pollMs);
  if (missing.length > 0)
    reason = `${to} did not take every bucket within ${timeoutMs} ms: ${missing.join(', ')}`;
  const watchUntil = Date.now() + watchMs;
  // A lease that lapses under load and is taken again is normal; another colour holding a bucket,
  // or a bucket left without its colour for a whole timeout, is not.
  let notHeldSince: number | undefined;
  while (!reason && Date.now() < watchUntil) {
    await sleep(pollMs);
    for (const name of await processorsRunBy(db, to)) expected.add(name);
    const ownership = await readOwnership(db);
    const intruders = heldByOthers(ownership, to);
    if (intruders.length > 0)
      reason = `buckets held by another colour while watched: ${intruders.join(', ')}`;
    const lost = notHeldBy(ownership, to, expected);
    notHeldSince = lost.length === 0 ? undefined : (notHeldSince ?? Date.now());
    if (notHeldSince !== undefined && Date.now() - notHeldSince > timeoutMs)
      reason = `${to} lost buckets for longer than ${timeoutMs} ms: ${lost.join(', ')}`;
    const parked = await parkedSince(db, expected, began);
    if (parked > 0) reason = `${parked} event(s) parked since the hand-over began`;
  }
  if (!reason) {
    logger.info({ from, to, processors: [...expected] }, 'hand-over complete');
    return { ok: true, from, to, processors: [...expected].sort() };
  }

  logger.error({ from, to, reason }, 'hand-over failed');
  if (!from || from === to) return { ok: false, from, to, reason, handedBack: false };
  await setActiveColour(db, from, `${by} (hand-back: ${reason})`);
  const back = await waitUntilHeld(db, from, new Set(initial), Date.now() + timeoutMs, pollMs);
  if (back.length > 0) logger.error({ from, missing: back }, 'hand-back incomplete');
  else logger.warn({ from }, 'processors handed back');
  return { ok: false, from, to, reason, handedBack: back.length === 0 };
}
