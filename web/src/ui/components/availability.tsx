import { useState } from 'react';
import type { AvailabilityView } from '../data';
import { useEventStream } from '../live/use-event-stream';

export function availabilityText(available: number | null): string {
  if (available === null) return 'Availability unknown';
  return available > 0 ? `In stock: ${available}` : 'Out of stock, made to order';
}

/** Units in stock now: the loader's count, then every change the server pushes. */
export function Availability({
  productId,
  initial,
}: {
  productId: string;
  initial: AvailabilityView | null;
}) {
  const [live, setLive] = useState<AvailabilityView | null>(null);
  useEventStream<AvailabilityView>(
    `/api/products/${encodeURIComponent(productId)}/availability/events`,
    'availability',
    setLive,
  );
  const available = (live?.productId === productId ? live : initial)?.available ?? null;
  return (
    <p
      className={available ? 'availability in-stock' : 'availability made-to-order'}
      aria-live="polite"
      data-testid="availability"
    >
      {availabilityText(available)}
    </p>
  );
}
