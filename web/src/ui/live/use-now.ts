import { useEffect, useState } from 'react';

/**
 * The current time, ticking every `intervalMs` after hydration. Until then it is `initial` (a time
 * the loader took), so the server's HTML and the browser's first render agree.
 */
export function useNow(initial: string, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.parse(initial));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
