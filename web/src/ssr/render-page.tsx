import { isThrottled } from '@az-shop/common';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { renderToPipeableStream } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router';
import { readAfter } from '../auth/last-write';
import { ttlCache } from '../cache/ttl-cache';
import type { StorefrontData } from '../ui/data';
import { serializeHydrationData } from '../ui/hydration';
import { ROOT_ROUTE_ID, rootLoader } from '../ui/root-data';
import { createRoutes } from '../ui/routes';
import type { PageAssets } from './assets';
import { isBot } from './bots';
import { documentHead, documentTail } from './document';
import { type DocumentStream, documentStream } from './document-stream';
import { type PersonalPageKey, type PersonalPages, personalPageKey } from './personal-pages';
import { serverData, visitorData } from './server-data';
import {
  personalise,
  ROOT_DATA_STAND_IN,
  type SharedPage,
  type SharedPageKey,
  SLOT_VALUES,
  sharedPage,
  sharedPageKey,
  standInRootData,
} from './shared-pages';

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

/** `request` as react-router's handler takes it; `path` replaces its URL (a shared page's own). */
function toFetchRequest(request: FastifyRequest, baseUrl: string, path = request.url): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const url = new URL(path, baseUrl);
  if (request.method !== 'POST') return new Request(url, { method: request.method, headers });
  // The body was consumed by Fastify: pass it on re-encoded, without the length of the original.
  headers.delete('content-length');
  headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
  return new Request(url, { method: 'POST', headers, body: formBody(request.body) });
}

/**
 * A loader's or action's redirect (to sign in, to the next step of checkout…) keeps its status;
 * after a form post the browser must follow with a GET.
 */
function redirectAs(request: FastifyRequest, reply: FastifyReply, redirect: Response) {
  const status = request.method === 'POST' ? 303 : redirect.status;
  return reply.redirect(redirect.headers.get('location') ?? '/', status);
}

/** The data source `queryPage` gives the loaders of one request, as react-router's request context. */
function requestSource(context: unknown): StorefrontData {
  if (!context) throw new Error('page data read outside a page request');
  return context as StorefrontData;
}

/** One static handler for every request: the loaders read through the request's own data source. */
const handler = createStaticHandler(createRoutes(requestSource));

export type PageContext = Exclude<Awaited<ReturnType<typeof handler.query>>, Response>;

/**
 * Cosmos DB's throttling is load, not a fault of the page: thrown, a read runs again, else the
 * visitor gets a 503 "busy" page with Retry-After (common/src/http/throttle-retry.ts, error-page.ts).
 */
function throwIfThrottled(context: PageContext): void {
  const throttled = Object.values(context.errors ?? {}).find(isThrottled);
  if (throttled) throw throttled;
}

/** Runs the page's action (a POST) and loaders with `source` as their data: a context, or a redirect. */
export function queryPage(source: StorefrontData, request: Request): Promise<PageContext | Response> {
  return handler.query(request, { requestContext: source });
}

export interface DocumentOptions {
  nonce: string;
  assets: PageAssets;
  whole: boolean;
  log: FastifyBaseLogger;
  /** The hydration data's JSON; by default the context's own (see ui/hydration.ts). */
  hydrationData?: (context: PageContext) => Promise<string>;
}

/**
 * Renders a page's document: resolves with its stream once the shell is ready (`whole`: once every
 * Suspense boundary is), rejects if the shell fails. Boundaries still pending after the stream
 * timeout are sent as their fallbacks (the browser renders them).
 */
export function renderDocument(
  context: PageContext,
  { nonce, assets, whole, log, hydrationData = serializeHydrationData }: DocumentOptions,
  streamTimeoutMs = STREAM_TIMEOUT_MS,
): Promise<DocumentStream> {
  const router = createStaticRouter(handler.dataRoutes, context);
  return new Promise((resolve, reject) => {
    let abortTimer: ReturnType<typeof setTimeout> | undefined;
    const send = () => {
      const body = documentStream(documentHead(assets), async () =>
        documentTail(await hydrationData(context), nonce, assets),
      );
      stream.pipe(body);
      resolve(body);
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
          // Not from inside abort(), which calls this before it has finished closing the render.
          if (whole) setImmediate(send);
        },
        onShellError(error) {
          clearTimeout(abortTimer);
          reject(error);
        },
        onError(error) {
          log.error({ err: error }, 'error while streaming a page');
        },
      },
    );
    abortTimer = setTimeout(() => stream.abort(), streamTimeoutMs);
  });
}

async function readAll(body: DocumentStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface PageRendererOptions {
  baseUrl: string;
  /** How long a shared catalog page is reused (see shared-pages.ts); 0 renders every request. */
  sharedPageTtlMs: number;
  /** Kept pages are forgotten when the catalog changes. */
  catalogChanges?: { onChange(listener: () => void): void };
  /** A shopper's own pages kept for repeat views (personal-pages.ts); absent: rendered every time. */
  personalPages?: PersonalPages | null;
}

/**
 * Streaming SSR of one page: the action runs first on a form post (without JavaScript), then the
 * loaders (so the status is known: 404 for a missing product, 400 for a refused form), the shell is
 * piped as soon as it is ready, and Suspense boundaries stream in after it. A catalog page comes from
 * the shared-page cache when it holds it, with this shopper's own values put in (shared-pages.ts); a
 * page of the shopper's own from the personal-page cache (personal-pages.ts).
 */
export function pageRenderer({
  baseUrl,
  sharedPageTtlMs,
  catalogChanges,
  personalPages,
}: PageRendererOptions) {
  const sharedPages =
    sharedPageTtlMs > 0
      ? ttlCache<SharedPage | null>({ ttlMs: sharedPageTtlMs, name: 'shared_pages' })
      : null;
  if (sharedPages) catalogChanges?.onChange(() => sharedPages.clear());

  /**
   * The page at `url` rendered whole with stand-ins for this response's own values (its root data,
   * nonce, idempotency key), cut at them; the redirect its loaders answered; null if it is not a 200
   * (it then gets a render of its own).
   */
  async function renderStandIns(
    request: FastifyRequest,
    reply: FastifyReply,
    url: string,
  ): Promise<SharedPage | Response | null> {
    const root = standInRootData(request.user);
    const source: StorefrontData = {
      ...serverData(request, reply),
      session: async () => root.session,
      cartCount: async () => root.cartCount,
      newIdempotencyKey: () => SLOT_VALUES.idempotencyKey,
    };
    const context = await queryPage(source, toFetchRequest(request, baseUrl, url));
    if (context instanceof Response) return context;
    // Not kept as "no page" while the database is busy: the next request tries again.
    throwIfThrottled(context);
    if (context.statusCode !== 200 || context.errors) return null;
    const body = await renderDocument(context, {
      nonce: SLOT_VALUES.nonce,
      assets: request.server.assets,
      whole: true,
      log: request.log,
      // The root's data goes in whole per response (personalise), the other routes' data is kept.
      hydrationData: (rendered) =>
        serializeHydrationData({
          ...rendered,
          loaderData: { ...rendered.loaderData, [ROOT_ROUTE_ID]: ROOT_DATA_STAND_IN },
        }),
    });
    return sharedPage(await readAll(body));
  }

  /** A kept page with this shopper's own values; undefined if their cart count could not be read. */
  async function personalised(
    request: FastifyRequest,
    reply: FastifyReply,
    page: SharedPage,
  ): Promise<Buffer | undefined> {
    // The same root data a render of this shopper's own would have: session, CSRF token, cart count.
    const { session, cartCount } = await rootLoader(visitorData(request, reply))();
    if (cartCount === null) return undefined; // the header then shows no count: a render of its own
    return personalise(page, { nonce: reply.cspNonce.script, root: { session, cartCount } });
  }

  /** The kept catalog page with this shopper's values, or undefined if there is none. */
  async function sharedResponse(
    request: FastifyRequest,
    reply: FastifyReply,
    key: SharedPageKey,
  ): Promise<Buffer | undefined> {
    if (!sharedPages) return undefined;
    const shared = sharedPages.peek(key.key)?.value;
    if (shared === undefined) {
      // This shopper gets a page streamed as usual; the shared copy is rendered beside it.
      sharedPages
        .remember(key.key, async () => {
          const page = await renderStandIns(request, reply, key.url);
          return page instanceof Response ? null : page;
        })
        .catch((error: unknown) => {
          request.log.warn({ err: error }, 'shared page render failed');
        });
      return undefined;
    }
    if (shared === null) return undefined;
    return personalised(request, reply, shared);
  }

  /**
   * The shopper's page from the personal-page cache, or rendered once with stand-ins (its data has
   * no slow part to stream) and kept; the redirect its loaders answered (a visitor not signed in, at
   * checkout); undefined if it is not a 200 (it then gets a render of its own).
   */
  async function personalResponse(
    request: FastifyRequest,
    reply: FastifyReply,
    key: PersonalPageKey,
  ): Promise<Buffer | Response | undefined> {
    if (!personalPages) return undefined;
    const after = readAfter(request);
    let page = personalPages.peek(key, after);
    if (!page) {
      const read = personalPages.begin(key.owner, after);
      try {
        const rendered = await renderStandIns(request, reply, request.url);
        if (rendered instanceof Response) return rendered;
        page = rendered ?? undefined;
        if (page) read.keep(key.page, page);
      } finally {
        read.end();
      }
    }
    return page && personalised(request, reply, page);
  }

  function sendPage(reply: FastifyReply, status: number, body: DocumentStream | Buffer | string) {
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  }

  return async function renderPage(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const sharedKey = sharedPages ? sharedPageKey(request) : undefined;
    const personalKey = personalPages && !sharedKey ? personalPageKey(request) : undefined;
    const kept =
      (sharedKey && (await sharedResponse(request, reply, sharedKey))) ||
      (personalKey && (await personalResponse(request, reply, personalKey)));
    if (kept instanceof Response) {
      await redirectAs(request, reply, kept);
      return;
    }
    if (kept) {
      await sendPage(reply, 200, kept);
      return;
    }

    const context = await queryPage(serverData(request, reply), toFetchRequest(request, baseUrl));
    if (context instanceof Response) {
      await redirectAs(request, reply, context);
      return;
    }
    throwIfThrottled(context);
    for (const error of Object.values(context.errors ?? {})) {
      if (error instanceof Error) request.log.error({ err: error }, 'page loader or action failed');
    }
    // Browsers get the shell at once and the Suspense boundaries as they resolve; bots get it whole.
    const whole = isBot(request.headers['user-agent']);
    try {
      const body = await renderDocument(context, {
        nonce: reply.cspNonce.script,
        assets: request.server.assets,
        whole,
        log: request.log,
      });
      await sendPage(reply, context.statusCode, body);
    } catch (error) {
      request.log.error({ err: error }, 'page shell failed to render');
      await sendPage(reply, 500, '<!doctype html><h1>Something went wrong</h1>');
    }
  };
}
