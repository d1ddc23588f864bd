import { isRouteErrorResponse, useRouteError } from 'react-router';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <section className="not-found">
      <h1>Not found</h1>
      <p>This {what} does not exist, or is no longer for sale.</p>
      <p>
        <a href="/">Back to the catalog</a>
      </p>
    </section>
  );
}

/** Error boundary of a page: 404s get the not-found page, anything else a short apology. */
export function PageError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;
  return (
    <section className="error">
      <h1>Something went wrong</h1>
      <p>Please try again in a moment.</p>
    </section>
  );
}
