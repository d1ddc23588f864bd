import { MAX_LINE_QTY } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../admin/actor';
import { signedIn } from '../../plugins/app/auth';

const Id = Type.String({ minLength: 1, maxLength: 128 });

const NewRequest = Type.Object(
  { productId: Id, qty: Type.Integer({ minimum: 1, maximum: MAX_LINE_QTY }) },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
  { additionalProperties: false },
);
const RequestParams = Type.Object({ id: Id }, { additionalProperties: false });
/** Why, for the audit log; the page sends `{}` when no reason is given. */
const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

/**
 * State changes validate after the admin and CSRF checks (`attachValidation`, then this preHandler,
 * which runs after the plugin's CSRF one): a request without a token is a 403 whatever its body.
 */
async function rejectInvalid(request: FastifyRequest): Promise<void> {
  if (request.validationError) throw request.validationError;
}
const checked = { attachValidation: true, preHandler: rejectInvalid };

/**
 * Production requests (create, list with their state, cancel one not started) and the factory
 * board (a snapshot, and live over SSE from this instance's one shared work_items feed).
 */
export default async function productionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const actor = (request: Parameters<typeof signedIn>[0]) => actorOf(signedIn(request));

  app.post('/production-requests', { ...checked, schema: { body: NewRequest } }, async (request, reply) =>
    reply.code(201).send(await app.productionRequests.create(actor(request), request.body)),
  );
  app.get('/production-requests', { schema: { querystring: ListQuery } }, async (request) =>
    app.productionRequests.list({ limit: request.query.limit }),
  );
  app.post(
    '/production-requests/:id/cancel',
    { ...checked, schema: { params: RequestParams, body: CancelBody } },
    async (request, reply) =>
      reply
        .code(202)
        .send(await app.productionRequests.cancel(actor(request), request.params.id, request.body.reason)),
  );

  app.get('/factory/board', async () => app.factoryBoard.latest());

  app.get('/factory/events', { onRequest: app.boardStreamLimit }, async (_request, reply) => {
    await app.factoryBoard.follow(app.live.open(reply));
    return reply;
  });
}
