import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../admin/actor';
import {
  ArchiveInput,
  CatalogIdParams,
  CategoryEdit,
  NewCategory,
  NewProduct,
  ProductEdit,
} from '../../admin/catalog-inputs';
import { signedIn } from '../../plugins/app/auth';

/**
 * Categories and products: list (archived included), read, create, edit (naming the version the
 * edit is based on: a stale one answers 409 with the current values), archive and restore. Bodies
 * are validated in the service (`attachValidation`), with field messages the forms show.
 */
export default async function catalogRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const params = CatalogIdParams;
  const actor = (request: Parameters<typeof signedIn>[0]) => actorOf(signedIn(request));

  app.get('/categories', async () => app.adminCatalog.listCategories());
  app.get('/categories/:id', { schema: { params } }, async (request) =>
    app.adminCatalog.category(request.params.id),
  );
  app.post('/categories', { attachValidation: true, schema: { body: NewCategory } }, async (request, reply) =>
    reply.code(201).send(await app.adminCatalog.createCategory(actor(request), request.body)),
  );
  app.put(
    '/categories/:id',
    { attachValidation: true, schema: { params, body: CategoryEdit } },
    async (request) => app.adminCatalog.editCategory(actor(request), request.params.id, request.body),
  );

  app.get('/products', async () => app.adminCatalog.listProducts());
  app.get('/products/:id', { schema: { params } }, async (request) =>
    app.adminCatalog.product(request.params.id),
  );
  app.post('/products', { attachValidation: true, schema: { body: NewProduct } }, async (request, reply) =>
    reply.code(201).send(await app.adminCatalog.createProduct(actor(request), request.body)),
  );
  app.put(
    '/products/:id',
    { attachValidation: true, schema: { params, body: ProductEdit } },
    async (request) => app.adminCatalog.editProduct(actor(request), request.params.id, request.body),
  );

  for (const kind of ['category', 'product'] as const) {
    const path = kind === 'category' ? 'categories' : 'products';
    for (const archived of [true, false]) {
      app.post(
        `/${path}/:id/${archived ? 'archive' : 'restore'}`,
        { attachValidation: true, schema: { params, body: ArchiveInput } },
        async (request, reply) => {
          await app.adminCatalog.setArchived(actor(request), kind, request.params.id, archived, request.body);
          return reply.code(204).send();
        },
      );
    }
  }
}
