import { useEffect } from 'react';
import { Outlet } from 'react-router';
import { Footer } from './footer';
import { Header } from './header';
import { useRootData } from './root-data';

export { ROOT_ROUTE_ID } from './root-data';

/** Marks the page as interactive once React has hydrated it (end-to-end tests wait for this). */
function useHydratedMarker() {
  useEffect(() => {
    document.body.dataset.hydrated = 'true';
  }, []);
}

export function Layout() {
  useHydratedMarker();
  const { session, cartCount } = useRootData();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header session={session} cartCount={cartCount} />
      <main id="main">
        <Outlet />
      </main>
      <Footer />
    </>
  );
}
