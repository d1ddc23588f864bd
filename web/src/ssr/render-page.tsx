import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderToPipeableStream } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router';
import { serializeHydrationData } from '../ui/hydration';
import { createRoutes } from '../ui/routes';
import { documentHead, documentTail } from './document';
import { documentStream } from './document-stream';
import { serverData } from './server-data';

/** A page whose deferred data has not arrived by then is sent with its fallbacks in place. */
const STREAM_TIMEOUT_MS = 10_000;

function toFetchRequest(request: FastifyRequest, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(new URL(request.url, baseUrl), { method: request.method, headers });
}

/**
 * Streaming SSR of one page: loaders run first (so the status is known: 404 for a missing product),
 * the shell is piped as soon as it is ready, and Suspense boundaries stream in after it.
 */
export async function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  baseUrl: string,
): Promise<void> {
  const handler = createStaticHandler(createRoutes(serverData(request, reply)));
  const context = await handler.query(toFetchRequest(request, baseUrl));
  if (context instanceof Response) {
    // A loader redirected (for instance to sign in).
    await reply.redirect(context.headers.get('location') ?? '/', context.status);
    return;
  }
  for (const error of Object.values(context.errors ?? {})) {
    if (error instanceof Error) request.log.error({ err: error }, 'page loader failed');
  }

  const nonce = reply.cspNonce.script;
  const router = createStaticRouter(handler.dataRoutes, context);
  await new Promise<void>((resolve) => {
    const stream = renderToPipeableStream(
      <StaticRouterProvider router={router} context={context} hydrate={false} nonce={nonce} />,
      {
        nonce,
        onShellReady() {
          const body = documentStream(documentHead(reply.cspNonce.style), async () =>
            documentTail(await serializeHydrationData(context), nonce),
          );
          stream.pipe(body);
          reply
            .status(context.statusCode)
            .header('content-type', 'text/html; charset=utf-8')
            .header('cache-control', 'no-store');
          void reply.send(body);
          resolve();
        },
        onShellError(error) {
          request.log.error({ err: error }, 'page shell failed to render');
          void reply
            .status(500)
            .type('text/html; charset=utf-8')
            .send('<!doctype html><h1>Something went wrong</h1>');
          resolve();
        },
        onError(error) {
          request.log.error({ err: error }, 'error while streaming a page');
        },
      },
    );
    setTimeout(() => stream.abort(), STREAM_TIMEOUT_MS).unref();
  });
}
