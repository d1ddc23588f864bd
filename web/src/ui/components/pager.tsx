export const CATALOG_PAGE_SIZE = 48;

/** `?offset=` of a listing page: a whole number ≥ 0, anything else the first page. */
export function offsetOf(request: Request): number {
  const requested = Number(new URL(request.url).searchParams.get('offset'));
  return Number.isInteger(requested) && requested > 0 ? requested : 0;
}

/** Previous/next links of a listing shown CATALOG_PAGE_SIZE at a time. */
export function Pager({
  path,
  offset,
  shown,
  total,
}: {
  path: string;
  offset: number;
  shown: number;
  total: number;
}) {
  const hasPrevious = offset > 0;
  const hasNext = offset + shown < total;
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav aria-label="Catalog pages" className="pages">
      {hasPrevious && (
        <a href={`${path}?offset=${Math.max(0, offset - CATALOG_PAGE_SIZE)}`} rel="prev">
          Previous page
        </a>
      )}
      {hasNext && (
        <a href={`${path}?offset=${offset + CATALOG_PAGE_SIZE}`} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}
