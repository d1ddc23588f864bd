import { DEMO_IMAGE_FOLDER } from '../../demo/catalog';

/** Whatever a blob turns out to hold, the browser treats it as an inert image: no scripts, no loads, no sniffing. */
export const IMAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
} as const;

const RASTER = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/avif']);
const SVG = 'image/svg+xml';

/**
 * The content type to serve a blob with, or null to refuse it: the raster types the upload accepts,
 * and SVG only for the shipped demo images (`demo/…`, written by the seed from web/demo-images; an
 * upload never lands there). The stored type is normalised: parameters and case dropped.
 */
export function servableType(blobName: string, storedType: string | undefined): string | null {
  const type = (storedType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (RASTER.has(type)) return type;
  if (type === SVG && blobName.startsWith(`${DEMO_IMAGE_FOLDER}/`)) return type;
  return null;
}

/** The entity tags of an `If-None-Match` header, weak ones compared by their value (RFC 9110, 13.1.2). */
export function entityTags(header: string | undefined): string[] {
  if (!header) return [];
  return [...header.matchAll(/\*|(?:W\/)?"[^"]*"/g)].map(([tag]) => tag.replace(/^W\//, ''));
}

export function isNotModified(header: string | undefined, etag: string | undefined): boolean {
  if (!etag) return false;
  const strong = etag.replace(/^W\//, '');
  return entityTags(header).some((tag) => tag === '*' || tag === strong);
}
