import { NavLink, Outlet } from 'react-router';
import { useRootData } from '../root-data';

/** The back office's sections, in the side navigation's order. */
export const ADMIN_SECTIONS = [
  { path: '/admin/catalog', label: 'Catalog' },
  { path: '/admin/production', label: 'Production' },
  { path: '/admin/factory', label: 'Factory' },
  { path: '/admin/orders', label: 'Orders' },
  { path: '/admin/stock', label: 'Stock' },
  { path: '/admin/operations', label: 'Operations' },
  { path: '/admin/audit', label: 'Audit' },
] as const;

/** The back office's own frame: a bar saying who is signed in, and the side navigation. */
export function AdminLayout() {
  const { session } = useRootData();
  return (
    <div className="admin">
      <header className="admin-bar">
        <a href="/admin" className="admin-brand">
          az-shop back office
        </a>
        <span className="admin-user">{session.user?.email ?? session.user?.name}</span>
        <a href="/">Storefront</a>
      </header>
      <div className="admin-body">
        <nav className="admin-nav" aria-label="Back office">
          <ul>
            {ADMIN_SECTIONS.map((section) => (
              <li key={section.path}>
                <NavLink to={section.path}>{section.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="admin-main">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
