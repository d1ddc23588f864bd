import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Error boundary of the back office's pages. */
export function AdminError() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const text: Record<number, [string, string]> = {
    403: ['Not allowed', 'The back office is for the shop’s admins. Ask one to give you the admin role.'],
    404: ['Not found', 'There is nothing here, or it was removed.'],
  };
  const [heading, message] = text[status] ?? ['Something went wrong', 'Please try again in a moment.'];
  return (
    <section className="error">
      <h1>{heading}</h1>
      <p>{message}</p>
    </section>
  );
}
