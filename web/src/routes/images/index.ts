import type { Readable } from 'node:stream';
import { Errors } from '@az-shop/common';
import type { BlobDownloadResponseParsed } from '@azure/storage-blob';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { entityTags, IMAGE_HEADERS, isNotModified, servableType } from './policy';

/** A blob name: path segments of safe characters, no `..`, no leading slash. */
const ImageParams = Type.Object({
  '*': Type.String({ pattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$' }),
});

const CACHE_CONTROL = 'public, max-age=86400';
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
export default async function imageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/*', { schema: { params: ImageParams } }, async (request, reply) => {
    const name = request.params['*'];
    const ifNoneMatch = request.headers['if-none-match'];
    const tags = entityTags(ifNoneMatch);
    // Replaces the page CSP helmet set: these headers go on every answer, 304 and errors included.
    reply.headers(IMAGE_HEADERS);
    let download: BlobDownloadResponseParsed;
    try {
      // One tag (what browsers send): Blob storage compares it and answers 304 without the bytes.
      const single = tags.length === 1 && tags[0] !== '*' ? tags[0] : undefined;
      download = await app.blob
        .getBlobClient(name)
        .download(0, undefined, single ? { conditions: { ifNoneMatch: single } } : {});
    } catch (error) {
      if (statusOf(error) === 304) return notModified(reply, tags[0]);
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
