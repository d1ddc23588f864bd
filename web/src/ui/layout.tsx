import { useEffect } from 'react';
import { Outlet, useRouteLoaderData } from 'react-router';
import type { SessionView } from './data';
import { Header } from './header';

export const ROOT_ROUTE_ID = 'root';

const SIGNED_OUT: SessionView = { user: null, csrfToken: '' };

/** Marks the page as interactive once React has hydrated it (end-to-end tests wait for this). */
function useHydratedMarker() {
  useEffect(() => {
    document.body.dataset.hydrated = 'true';
  }, []);
}

export function Layout() {
  useHydratedMarker();
  const session = useRouteLoaderData<SessionView>(ROOT_ROUTE_ID) ?? SIGNED_OUT;
  return (
    <>
      <Header session={session} />
      <main>
        <Outlet />
      </main>
    </>
  );
}
