import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** A blob name: path segments of safe characters, no `..`, no leading slash. */
const ImageParams = Type.Object({
  '*': Type.String({ pattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$' }),
});

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 404;
}

/** Streams product images from the blob container; the browser may cache them for a day. */
export default async function imageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/*', { schema: { params: ImageParams } }, async (request, reply) => {
    const name = request.params['*'];
    try {
      const download = await app.blob.getBlobClient(name).download();
      if (!download.readableStreamBody) throw new Errors.NotFound('Image');
      reply
        .type(download.contentType ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=86400');
      if (download.contentLength !== undefined) reply.header('content-length', download.contentLength);
      if (download.etag) reply.header('etag', download.etag);
      return reply.send(download.readableStreamBody);
    } catch (error) {
      if (isNotFound(error)) throw new Errors.NotFound('Image');
      throw error;
    }
  });
}
