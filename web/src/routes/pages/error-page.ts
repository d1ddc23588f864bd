import { type DetailedError, escapeHtml, toErrorResponse } from '@az-shop/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { PageAssets } from '../../ssr/assets';

/** What a shopper can do about each refusal a page request can meet before its page renders. */
const ADVICE: Record<number, string> = {
  400: 'Something in that request was not right. Go back and try again.',
  403: 'This form has expired (or came from somewhere else). Go back, reload the page and send it again.',
  404: 'There is nothing here.',
  414: 'That address is too long.',
  429: 'Too many tries in a short time. Wait a minute, then try again.',
};

/** Cosmos DB throttled the request (toErrorResponse's THROTTLED). */
const BUSY = 'The shop is busy right now. Try again in a moment.';

/** A plain page for a refusal that happens before React renders (CSRF, rate limit, bad input). */
export function errorPage(status: number, message: string, assets: PageAssets, advise?: string): string {
  const styles = assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('');
  const advice =
    advise ??
    ADVICE[status] ??
    (status >= 500 ? 'Something went wrong on our side. Try again soon.' : message);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status} · az-shop</title>${styles}</head><body><main class="error-page"><h1>${status === 429 ? 'Slow down' : 'Sorry'}</h1><p role="alert">${escapeHtml(advice)}</p><p><a href="/">Back to the shop</a></p></main></body></html>`;
}

/**
 * Page routes answer a browser with a page, not JSON: a form posted without JavaScript that fails
 * its CSRF check or a rate limit shows the shopper what to do. Other clients get the JSON error model.
 */
export function pageErrorHandler(
  error: FastifyError & DetailedError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const { status, body, retryAfterSeconds } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'page request failed');
  else request.log.info({ code: body.error, message: body.message }, 'page request refused');
  if (retryAfterSeconds !== undefined) reply.header('retry-after', retryAfterSeconds);
  const wantsHtml = request.headers.accept?.includes('text/html') ?? false;
  if (!wantsHtml) return reply.status(status).send(body);
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      errorPage(status, body.message, request.server.assets, body.error === 'THROTTLED' ? BUSY : undefined),
    );
}
