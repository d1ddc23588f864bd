import type { Readable } from 'node:stream';
import { Errors } from '@az-shop/common';
import type { BlobDownloadResponseParsed } from '@azure/storage-blob';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ttlCache } from '../../cache/ttl-cache';
import { entityTags, IMAGE_HEADERS, isNotModified, servableType } from './policy';

/** A blob name: path segments of safe characters, no `..`, no leading slash. */
const ImageParams = Type.Object({
  '*': Type.String({ pattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$' }),
});

const CACHE_CONTROL = 'public, max-age=86400';

export interface ImageRoutesOptions {
  /** How long a blob's ETag is trusted without asking Blob storage (CATALOG_CACHE_SECONDS); 0: always ask. */
  tagTtlMs: number;
}
const statusOf = (error: unknown) => (error as { statusCode?: number } | null)?.statusCode;

function notModified(reply: FastifyReply, etag: string | undefined) {
  if (etag) reply.header('etag', etag);
  return reply.code(304).header('cache-control', CACHE_CONTROL).send();
}

/**
 * Streams product images from the blob container; the browser may cache them for a day and then
 * revalidate with `If-None-Match` (304). Only allow-listed types are served (policy.ts), each with
 * nosniff and a CSP of its own (`default-src 'none'; sandbox`): an image opened on its own, even an
 * SVG, can run nothing and load nothing.
 */
export default async function imageRoutes(fastify: FastifyInstance, { tagTtlMs }: ImageRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Each blob's ETag as Blob storage last confirmed it: a blob's name never gets other bytes (uploads
  // take a fresh random name), so a browser revalidating it is answered 304 without asking storage
  // again. A 304 tells no more than storage's own would: that the blob has this tag.
  const knownTags = tagTtlMs > 0 ? ttlCache<string>({ ttlMs: tagTtlMs, maxEntries: 10_000 }) : null;
  const remember = (name: string, etag: string | undefined) => {
    if (knownTags && etag) void knownTags.remember(name, async () => etag);
  };

  app.get('/*', { schema: { params: ImageParams } }, async (request, reply) => {
    const name = request.params['*'];
    const ifNoneMatch = request.headers['if-none-match'];
    const tags = entityTags(ifNoneMatch);
    // Replaces the CSP every answer gets: these headers go on every answer, 304 and errors included.
    reply.headers(IMAGE_HEADERS);
    const known = knownTags?.peek(name)?.value;
    if (known && isNotModified(ifNoneMatch, known)) return notModified(reply, known);
    // One tag (what browsers send): Blob storage compares it and answers 304 without the bytes.
    const single = tags.length === 1 && tags[0] !== '*' ? tags[0] : undefined;
    let download: BlobDownloadResponseParsed;
    try {
      download = await app.blob
        .getBlobClient(name)
        .download(0, undefined, single ? { conditions: { ifNoneMatch: single } } : {});
    } catch (error) {
      if (statusOf(error) === 304) {
        remember(name, single);
        return notModified(reply, tags[0]);
      }
      if (statusOf(error) === 404) throw new Errors.NotFound('Image');
      throw error;
    }
    const body: Readable | undefined = download.readableStreamBody as Readable | undefined;
    const type = servableType(name, download.contentType);
    if (!body || !type) {
      body?.destroy();
      if (body) request.log.warn({ blob: name, contentType: download.contentType }, 'image type not allowed');
      throw new Errors.NotFound('Image');
    }
    remember(name, download.etag);
    if (isNotModified(ifNoneMatch, download.etag)) {
      body.destroy();
      return notModified(reply, download.etag);
    }
    reply.type(type).header('cache-control', CACHE_CONTROL);
    if (download.contentLength !== undefined) reply.header('content-length', download.contentLength);
    if (download.etag) reply.header('etag', download.etag);
    return reply.send(body);
  });
}
