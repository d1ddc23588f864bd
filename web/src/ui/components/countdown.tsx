import { formatCountdown } from '../format';
import { useNow } from '../live/use-now';

/**
 * Time left to pay before the stock hold ends. Renders from the loader's clock first (the same on
 * the server and in hydration), then ticks. Not a live region: a screen reader announcing every
 * second would drown the form.
 */
export function Countdown({ until, loadedAt }: { until: string; loadedAt: string }) {
  const now = useNow(loadedAt);
  const remaining = Date.parse(until) - now;
  if (!(remaining > 0))
    return (
      <p className="countdown ended" data-testid="countdown">
        The stock hold has ended; payment may no longer be accepted.
      </p>
    );
  return (
    <p className="countdown" role="timer" data-testid="countdown">
      Stock held for <strong>{formatCountdown(remaining)}</strong>
    </p>
  );
}
