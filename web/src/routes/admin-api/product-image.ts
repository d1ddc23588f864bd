import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../admin/actor';
import { CatalogIdParams } from '../../admin/catalog-inputs';
import { MAX_IMAGE_BYTES, uploadProductImage } from '../../admin/product-images';
import { signedIn } from '../../plugins/app/auth';

/** The version the upload is based on, in the query: the body is the image's bytes and nothing else. */
const ImageQuery = Type.Object(
  { version: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) },
  { additionalProperties: false },
);

/** The declared type only gets the bytes parsed; what they are is sniffed (web/src/admin/image-sniff.ts). */
const RAW_TYPES = /^(application\/octet-stream|image\/[\w.+-]+)(\s*;.*)?$/i;
const TOO_LARGE = `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`;
const SEND_RAW = 'Send the image itself as the body (Content-Type image/* or application/octet-stream)';

/**
 * POST /catalog/products/:id/image?version=N with the image as the raw body. It streams through web
 * (not straight to Blob with a SAS) so the bytes are checked before anything is stored; the body
 * limit stops a larger one at its Content-Length, or at 5 MB of a chunked one.
 */
export default async function productImageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // Only in this plugin: the rest of the API keeps JSON and forms only.
  app.addContentTypeParser(
    RAW_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES },
    (_request, body, done) => done(null, body),
  );
  // Fastify's own refusals, reworded to name the problem; the app's handler still shapes the answer.
  app.setErrorHandler((error: FastifyError) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new Errors.PayloadTooLarge(TOO_LARGE);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') throw new Errors.UnsupportedMediaType(SEND_RAW);
    throw error;
  });

  app.post(
    '/products/:id/image',
    {
      bodyLimit: MAX_IMAGE_BYTES,
      // Validated here rather than before the hooks, so the CSRF check answers first (as in catalog.ts).
      attachValidation: true,
      schema: { params: CatalogIdParams, querystring: ImageQuery },
    },
    async (request) => {
      if (request.validationError) throw request.validationError;
      // A JSON or form body passes the shared parsers (so the CSRF check can answer first): not an image.
      if (!Buffer.isBuffer(request.body)) throw new Errors.UnsupportedMediaType(SEND_RAW);
      return uploadProductImage(app.adminCatalog, app.blob, {
        actor: actorOf(signedIn(request)),
        productId: request.params.id,
        version: request.query.version,
        bytes: request.body,
      });
    },
  );
}
