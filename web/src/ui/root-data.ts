import { type ShouldRevalidateFunctionArgs, useRouteLoaderData } from 'react-router';
import type { SessionView, StorefrontData } from './data';

export const ROOT_ROUTE_ID = 'root';

/** What every page needs: the visitor, the CSRF token for forms, and the header's cart count. */
export interface RootData {
  session: SessionView;
  /** Σ qty of the cart; null when the cart could not be read (the header then shows no count). */
  cartCount: number | null;
}

const SIGNED_OUT: RootData = { session: { user: null, csrfToken: '' }, cartCount: null };

export function rootLoader(source: Pick<StorefrontData, 'session' | 'cartCount'>) {
  return async (): Promise<RootData> => {
    const [session, cartCount] = await Promise.all([source.session(), source.cartCount().catch(() => null)]);
    return { session, cartCount };
  };
}

/**
 * Cheap as it is (a session read and one cart document), the root loader runs again only after a
 * form submission: the cart count and the session change through actions (or full-page sign-in and
 * sign-out), not through navigation.
 */
export function shouldRevalidateRoot({ formMethod, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  return formMethod !== undefined && formMethod.toUpperCase() !== 'GET' && defaultShouldRevalidate;
}

export function useRootData(): RootData {
  return useRouteLoaderData<RootData>(ROOT_ROUTE_ID) ?? SIGNED_OUT;
}
