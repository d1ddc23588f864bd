import { Link, NavLink, useLocation } from 'react-router';
import type { SessionView } from './data';
import { CSRF_FIELD } from './forms';
import { signInUrl } from './route-errors';

function CartLink({ count }: { count: number | null }) {
  const label = count === null ? 'Cart' : `Cart, ${count} ${count === 1 ? 'item' : 'items'}`;
  return (
    <NavLink to="/cart" className="cart-link" aria-label={label} data-testid="cart-link">
      Cart
      {count !== null && (
        <span className="count" data-testid="cart-count" aria-hidden="true">
          {count}
        </span>
      )}
    </NavLink>
  );
}

export function Header({ session, cartCount }: { session: SessionView; cartCount: number | null }) {
  const location = useLocation();
  const { user } = session;
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        az-shop
      </Link>
      <nav aria-label="Account">
        <ul className="inline-list">
          <li>
            <CartLink count={cartCount} />
          </li>
          {user ? (
            <>
              <li>
                <NavLink to="/orders" end>
                  My orders
                </NavLink>
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
