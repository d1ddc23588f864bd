import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerClient } from '@azure/storage-blob';

export const DEMO_IMAGES_DIR_NAME = 'demo-images';
export const SVG_CONTENT_TYPE = 'image/svg+xml';

/**
 * `web/demo-images`, found by walking up from this module: it runs from `web/src/demo` (tsx,
 * tests) and bundled from `web/dist/main.js`, so the number of levels differs. A `demo-images`
 * folder beside the bundle (`web/dist/demo-images`) wins, for images that ship only `dist/`.
 */
export function findDemoImagesDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, DEMO_IMAGES_DIR_NAME);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no ${DEMO_IMAGES_DIR_NAME} folder above ${from}; pass imagesDir to seedDemoShop`);
}

function isAlreadyThere(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 409 || status === 412;
}

/**
 * Uploads one image unless a blob of that name exists (`If-None-Match: *`, so two seeds racing
 * cannot overwrite each other). Returns whether it uploaded.
 */
export async function uploadImageOnce(
  container: ContainerClient,
  blobName: string,
  file: string,
): Promise<boolean> {
  const blob = container.getBlockBlobClient(blobName);
  if (await blob.exists()) return false;
  const content = await readFile(file);
  try {
    await blob.uploadData(content, {
      blobHTTPHeaders: { blobContentType: SVG_CONTENT_TYPE },
      conditions: { ifNoneMatch: '*' },
    });
    return true;
  } catch (error) {
    if (isAlreadyThere(error)) return false;
    throw error;
  }
}
