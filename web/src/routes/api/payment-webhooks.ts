import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { SIGNATURE_HEADER } from '../../payments/signed-events';

const WebhookParams = Type.Object(
  { provider: Type.String({ minLength: 1, maxLength: 20, pattern: '^[a-z]+$' }) },
  { additionalProperties: false },
);

/**
 * `POST /api/payments/webhooks/:provider`: the payment provider's server tells us how a payment
 * ended. No session and no CSRF token (it is server to server): the signature over the raw body is
 * the proof, so the body is kept as bytes here. 200 once applied (or already applied), 400 for a
 * bad signature or body (nothing written), 5xx only when applying failed, so the provider retries.
 */
export default async function paymentWebhookRoutes(app: FastifyInstance) {
  // Encapsulated: only this plugin's routes get JSON as raw bytes (in place of the app's parser).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .post(
      '/payments/webhooks/:provider',
      { bodyLimit: 256 * 1024, schema: { params: WebhookParams } },
      async (request, reply) => {
        if (request.params.provider !== app.paymentProvider.name) throw new Errors.NotFound('Webhook');
        if (!Buffer.isBuffer(request.body)) throw new Errors.Validation('Send the event as application/json');
        const signature = request.headers[SIGNATURE_HEADER];
        const result = await app.paymentWebhooks(
          request.body,
          typeof signature === 'string' ? signature : undefined,
        );
        return reply.code(200).send({ received: true, result });
      },
    );
}
