import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

const AuditQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    before: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** The audit log, newest first, a page at a time (`before` = the last entry's time). */
export default async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/audit', { schema: { querystring: AuditQuery } }, async (request) => {
    const { limit, before } = request.query;
    const entries = await app.audit.list({ limit, ...(before && { before: new Date(before) }) });
    return entries.map(({ partition_key: _partition, at, ...entry }) => ({ ...entry, at: at.toISOString() }));
  });
}
