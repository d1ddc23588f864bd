import type { Timestamp } from 'mongodb';

/**
 * Times for the lag metrics (docs/processor.md, "Lag"), as epoch milliseconds. Cluster times have a
 * resolution of one second (the `t` part), so ages read off them can be up to a second too high.
 */
export function clusterTimeMs(clusterTime: Timestamp | undefined): number | undefined {
  return clusterTime ? clusterTime.t * 1000 : undefined;
}

/** Seconds since the oldest of `times` (undefined ones left out); 0 when there is none or it is ahead. */
export function ageSeconds(now: number, times: readonly (number | undefined)[]): number {
  let oldest: number | undefined;
  for (const time of times) if (time !== undefined && (oldest === undefined || time < oldest)) oldest = time;
  return oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000);
}

/** Whether readiness should fail: a positive threshold that the lag is over. */
export function lagOverThreshold(lagSeconds: number, maxLagSeconds: number | undefined): boolean {
  return maxLagSeconds !== undefined && maxLagSeconds > 0 && lagSeconds > maxLagSeconds;
}
