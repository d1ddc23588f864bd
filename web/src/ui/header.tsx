import { useLocation } from 'react-router';
import type { SessionView } from './data';
import { CSRF_FIELD } from './forms';
import { signInUrl } from './route-errors';

/** `aria-current` of a header link: set on the page it points to (what react-router's NavLink does). */
const currentFor = (pathname: string, path: string) => (pathname === path ? 'page' : undefined);

/** The cart link's accessible name: with the count when it is known. */
export function cartLinkLabel(count: number | null): string {
  return count === null ? 'Cart' : `Cart, ${count} ${count === 1 ? 'item' : 'items'}`;
}

function CartLink({ count, current }: { count: number | null; current: 'page' | undefined }) {
  const label = cartLinkLabel(count);
  return (
    <a href="/cart" className="cart-link" aria-label={label} aria-current={current} data-testid="cart-link">
      Cart
      {count !== null && (
        <span className="count" data-testid="cart-count" aria-hidden="true">
          {count}
        </span>
      )}
    </a>
  );
}

export function Header({ session, cartCount }: { session: SessionView; cartCount: number | null }) {
  const location = useLocation();
  const { user } = session;
  return (
    <header className="site-header">
      <a href="/" className="brand">
        az-shop
      </a>
      <nav aria-label="Account">
        <ul className="inline-list">
          <li>
            <CartLink count={cartCount} current={currentFor(location.pathname, '/cart')} />
          </li>
          {user ? (
            <>
              <li>
                <a href="/orders" aria-current={currentFor(location.pathname, '/orders')}>
                  My orders
                </a>
              </li>
              <li>
                <span className="user-name" data-testid="user-name">
                  {user.name}
                </span>
                {user.roles.includes('admin') && <span className="badge">admin</span>}
              </li>
              <li>
                {/* A real form post (not a client navigation): the server clears the session and redirects. */}
                <form method="post" action="/auth/logout" className="inline">
                  <input type="hidden" name={CSRF_FIELD} value={session.csrfToken} />
                  <button type="submit" className="link-button">
                    Sign out
                  </button>
                </form>
              </li>
            </>
          ) : (
            <li>
              <a href={signInUrl(`${location.pathname}${location.search}`)}>Sign in</a>
            </li>
          )}
        </ul>
      </nav>
    </header>
  );
}
