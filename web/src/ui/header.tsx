import { Link, useLocation } from 'react-router';
import type { SessionView } from './data';

export function Header({ session }: { session: SessionView }) {
  const location = useLocation();
  const returnTo = encodeURIComponent(`${location.pathname}${location.search}`);
  const { user } = session;
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        az-shop
      </Link>
      <nav aria-label="Account">
        {user ? (
          <>
            <span className="user-name" data-testid="user-name">
              {user.name}
            </span>
            {user.roles.includes('admin') && <span className="badge">admin</span>}
            {/* A real form post (not a client navigation): the server clears the session and redirects. */}
            <form method="post" action="/auth/logout" className="inline">
              <input type="hidden" name="_csrf" value={session.csrfToken} />
              <button type="submit">Sign out</button>
            </form>
          </>
        ) : (
          <a href={`/auth/login?returnTo=${returnTo}`}>Sign in</a>
        )}
      </nav>
    </header>
  );
}
