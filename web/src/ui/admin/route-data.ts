import { data } from 'react-router';
import { redirectToSignIn, statusOf } from '../route-errors';

/**
 * Runs a back-office read: 401 → sign in and come back, 403 → the route's error page with that
 * status, a missing document (null) → 404. The server checked the role before rendering already;
 * this covers the browser, where a session can end between two navigations.
 */
export async function adminRead<T>(request: Request, read: () => Promise<T | null>): Promise<T> {
  let value: T | null;
  try {
    value = await read();
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) throw redirectToSignIn(request);
    if (status === 403) throw data(null, { status: 403, statusText: 'Forbidden' });
    if (status === 404) throw data(null, { status: 404, statusText: 'Not Found' });
    throw error;
  }
  if (value === null) throw data(null, { status: 404, statusText: 'Not Found' });
  return value;
}
