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

/** What every page shares, storefront and back office: the skip link and the hydration marker. */
export function RootShell() {
  useHydratedMarker();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Outlet />
    </>
  );
}

/** The storefront's frame: header (with the cart count), the page, footer. */
export function StorefrontLayout() {
  const { session, cartCount } = useRootData();
  return (
    <>
      <Header session={session} cartCount={cartCount} />
      <main id="main">
        <Outlet />
      </main>
      <Footer />
    </>
  );
}
