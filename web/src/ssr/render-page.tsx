import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderToPipeableStream } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router';
import { serializeHydrationData } from '../ui/hydration';
import { createRoutes } from '../ui/routes';
import { isBot } from './bots';
import { documentHead, documentTail } from './document';
import { documentStream } from './document-stream';
import { requestDataSource, withRequestData } from './request-data';
import { serverData } from './server-data';

/** A page whose deferred data has not arrived by then is sent with its fallbacks in place. */
const STREAM_TIMEOUT_MS = 10_000;

/** The urlencoded form @fastify/formbody parsed (repeated names arrive as arrays), as a fetch body. */
function formBody(body: unknown): URLSearchParams {
  const form = new URLSearchParams();
  if (!body || typeof body !== 'object') return form;
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
  }
  return form;
}

function toFetchRequest(request: FastifyRequest, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const url = new URL(request.url, baseUrl);
  if (request.method !== 'POST') return new Request(url, { method: request.method, headers });
  // The body was consumed by Fastify: pass it on re-encoded, without the length of the original.
  headers.delete('content-length');
  headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
  return new Request(url, { method: 'POST', headers, body: formBody(request.body) });
}

/** A redirect from a loader keeps its status; after a form post the browser must follow with a GET. */
function redirectStatus(request: FastifyRequest, status: number): number {
  return request.method === 'POST' ? 303 : status;
}

/** One static handler for every request: the loaders read through the request's own data source. */
const handler = createStaticHandler(createRoutes(requestDataSource));

/**
 * Streaming SSR of one page: the action runs first on a form post (without JavaScript), then the
 * loaders (so the status is known: 404 for a missing product, 400 for a refused form), the shell is
 * piped as soon as it is ready, and Suspense boundaries stream in after it.
 */
export async function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  baseUrl: string,
): Promise<void> {
  const context = await withRequestData(serverData(request, reply), () =>
    handler.query(toFetchRequest(request, baseUrl)),
  );
  if (context instanceof Response) {
    // A loader or action redirected (to sign in, to the next step of checkout…).
    await reply.redirect(context.headers.get('location') ?? '/', redirectStatus(request, context.status));
    return;
  }
  for (const error of Object.values(context.errors ?? {})) {
    if (error instanceof Error) request.log.error({ err: error }, 'page loader or action failed');
  }

  const { assets } = request.server;
  const nonce = reply.cspNonce.script;
  const router = createStaticRouter(handler.dataRoutes, context);
  // Browsers get the shell at once and the Suspense boundaries as they resolve; bots get it whole.
  const whole = isBot(request.headers['user-agent']);
  let abortTimer: ReturnType<typeof setTimeout> | undefined;
  await new Promise<void>((resolve) => {
    const send = () => {
      const body = documentStream(documentHead(assets), async () =>
        documentTail(await serializeHydrationData(context), nonce, assets),
      );
      stream.pipe(body);
      reply
        .status(context.statusCode)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store');
      void reply.send(body);
      resolve();
    };
    const stream = renderToPipeableStream(
      <StaticRouterProvider router={router} context={context} hydrate={false} nonce={nonce} />,
      {
        nonce,
        onShellReady() {
          if (!whole) send();
        },
        onAllReady() {
          clearTimeout(abortTimer);
          if (whole) send();
        },
        onShellError(error) {
          clearTimeout(abortTimer);
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
    // Boundaries still pending then are sent as their fallbacks (the browser renders them).
    abortTimer = setTimeout(() => stream.abort(), STREAM_TIMEOUT_MS);
  });
}
