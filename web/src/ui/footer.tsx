import { Link } from 'react-router';

export function Footer() {
  return (
    <footer className="site-footer">
      <p>az-shop — furniture made to order when it is not on the shelf.</p>
      <nav aria-label="Footer">
        <ul className="inline-list">
          <li>
            <Link to="/">Home</Link>
          </li>
          <li>
            <Link to="/cart">Cart</Link>
          </li>
        </ul>
      </nav>
    </footer>
  );
}
