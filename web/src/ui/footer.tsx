export function Footer() {
  return (
    <footer className="site-footer">
      <p>
        az-shop — teapots, lamps and other things for the home, made to order when they are not on the shelf.
      </p>
      <nav aria-label="Footer">
        <ul className="inline-list">
          <li>
            <a href="/">Home</a>
          </li>
          <li>
            <a href="/cart">Cart</a>
          </li>
        </ul>
      </nav>
    </footer>
  );
}
