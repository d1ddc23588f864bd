/** Whether a write failed on a unique index (the document was already written: a repeat). */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}

/** Drops `undefined` fields so a stored document never gets `null` where the schema has "absent". */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** A short random pause between optimistic-concurrency retries, growing with the attempt. */
export function contentionPause(attempt: number): Promise<void> {
  if (attempt < 3) return Promise.resolve();
  const ms = Math.min(50, 2 ** Math.min(attempt - 3, 5)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
