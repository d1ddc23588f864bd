import { randomBytes } from 'node:crypto';
import { Errors } from '@az-shop/common';
import type { ContainerClient } from '@azure/storage-blob';
import type { Actor } from './actor';
import type { AdminCatalog, AdminProductView } from './catalog-service';
import { sniffImage } from './image-sniff';

/** The largest product image accepted, in bytes (5 MiB): the route's body limit too. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Folder of uploaded product images; the demo SVGs live in `demo/` and nothing uploads there. */
export const PRODUCT_IMAGE_FOLDER = 'products';

/** A name nobody can choose or guess: the product, then 128 random bits, then the sniffed type's extension. */
export function productImageBlobName(productId: string, extension: string, random = randomBytes(16)): string {
  return `${PRODUCT_IMAGE_FOLDER}/${productId}/${random.toString('hex')}.${extension}`;
}

export interface ImageUpload {
  actor: Actor;
  productId: string;
  /** The product version the admin's upload is based on (stale: 409). */
  version: number;
  bytes: Buffer;
}

/**
 * Checks the file by its bytes, then the product and its version, and only then writes: the blob
 * under a server-chosen name with the sniffed content type, then the product's `imagePath` through the
 * catalog (versioned, audited as `product.image`). A refusal before the blob writes nothing; a
 * product changed between the check and the write (409) removes the blob just written.
 */
export async function uploadProductImage(
  catalog: AdminCatalog,
  container: ContainerClient,
  { actor, productId, version, bytes }: ImageUpload,
): Promise<AdminProductView> {
  if (bytes.length > MAX_IMAGE_BYTES)
    throw new Errors.PayloadTooLarge(`The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  const sniffed = sniffImage(bytes);
  if (!sniffed.ok) {
    if (sniffed.reason === 'unsupported') throw new Errors.UnsupportedMediaType(sniffed.message);
    throw new Errors.Validation(sniffed.message);
  }
  await catalog.expectProductVersion(productId, version);

  const blob = container.getBlockBlobClient(productImageBlobName(productId, sniffed.extension));
  await blob.uploadData(bytes, {
    blobHTTPHeaders: { blobContentType: sniffed.type },
    // A fresh random name: never overwrite, even on a (practically impossible) collision.
    conditions: { ifNoneMatch: '*' },
  });
  try {
    return await catalog.setProductImage(actor, productId, version, blob.name);
  } catch (error) {
    await blob.deleteIfExists().catch(() => {});
    throw error;
  }
}
