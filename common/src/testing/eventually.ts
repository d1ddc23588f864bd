/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs` with
 * the last value seen. Not a timing assertion: the deadline only bounds a broken test.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    last = value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
