import { StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { ROOT_ELEMENT_ID } from '../ssr/document';
import { HYDRATION_DATA_ID, reviveHydrationData } from '../ui/hydration';
import { createRoutes } from '../ui/routes';
import { browserData } from './browser-data';
import { navigateOnLinkClicks } from './link-navigation';
// esbuild emits it as client-<hash>.css; the server links it from the build manifest.
import '../ui/styles.css';

const hydrationData = reviveHydrationData(document.getElementById(HYDRATION_DATA_ID)?.textContent);
const routes = createRoutes(() => browserData);
const router = createBrowserRouter(routes, hydrationData ? { hydrationData } : {});
navigateOnLinkClicks(document, routes, (path) => router.navigate(path));
const container = document.getElementById(ROOT_ELEMENT_ID);
if (!container) throw new Error(`#${ROOT_ELEMENT_ID} is missing from the page`);

hydrateRoot(
  container,
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
