import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../admin/actor';
import { strictObject } from '../../admin/strict';
import { signedIn } from '../../plugins/app/auth';

// strictObject: unknown fields fail (400) instead of being dropped (`?processor[$ne]=x`).
const ParkedQuery = strictObject({
  processor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' })),
  status: Type.Optional(
    Type.Union([
      Type.Literal('parked'),
      Type.Literal('replay-requested'),
      Type.Literal('replaying'),
      Type.Literal('replayed'),
      Type.Literal('discarded'),
    ]),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

const ParkedParams = strictObject({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) });

/** Nothing to say: an empty object; a body carrying anything (operators included) is refused. */
const RequestBody = strictObject({});

/**
 * Operations: the processors' state and their parked events, and admin requests to replay or
 * discard one. A request is written to web's own `parked_event_requests`; the processor owning the
 * event takes it on within its replay poll (5 s) and records the outcome on the event (docs/back-office.md).
 */
export default async function operationsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/', async () => ({
    at: new Date().toISOString(),
    processors: await app.adminOperations.processors(),
  }));

  app.get('/parked', { schema: { querystring: ParkedQuery } }, async (request) =>
    app.adminOperations.parked(request.query),
  );

  for (const action of ['replay', 'discard'] as const) {
    app.post(
      `/parked/:id/${action}`,
      // Validated after the CSRF check (a preHandler hook), so a request without a token is a 403
      // whatever its id: the schema error is attached and thrown here.
      { attachValidation: true, schema: { params: ParkedParams, body: RequestBody } },
      async (request, reply) => {
        if (request.validationError) throw request.validationError;
        const result = await app.adminOperations.request(
          actorOf(signedIn(request)),
          request.params.id,
          action,
        );
        return reply.code(202).send(result);
      },
    );
  }
}
