import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Credentials } from './passwords';
import { consentPage, loginPage, messagePage } from './views';

/** The subset of a pino logger the provider writes to; tests may pass a spy, or nothing. */
export interface SignInLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** What the interaction pages need besides the request: the protocol, the password check, a log. */
export interface InteractionContext {
  provider: Provider;
  credentials: Credentials;
  log: SignInLog;
}

/** The same words whichever of the two was wrong, so the page does not tell which emails exist. */
export const WRONG_CREDENTIALS = 'Wrong email or password.';

/** `/interaction/:uid` and its form posts: the login and consent steps oidc-provider delegates to us. */
export const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/;

const MAX_FORM_BYTES = 16 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  req.setEncoding('utf8'); // so a character split across chunks is decoded whole
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_FORM_BYTES) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function clientName(provider: Provider, clientId: unknown): Promise<string> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return client?.clientName ?? (typeof clientId === 'string' ? clientId : 'the application');
}

async function showPrompt(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { uid, prompt, params } = await provider.interactionDetails(req, res);
  const name = await clientName(provider, params.client_id);
  if (prompt.name === 'login') return sendHtml(res, 200, loginPage({ uid, clientName: name }));
  const scopes = typeof params.scope === 'string' ? params.scope.split(' ') : [];
  return sendHtml(res, 200, consentPage({ uid, clientName: name, scopes }));
}

async function submitLogin(
  { provider, credentials, log }: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { uid, prompt, params } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login') throw new Error(`expected the login prompt, got ${prompt.name}`);
  const form = await readForm(req);
  const email = form.get('email') ?? '';
  const result = await credentials.check(email, form.get('password') ?? '');
  if (!result.ok) {
    log.warn({ uid, email, reason: result.reason }, 'sign-in refused');
    const name = await clientName(provider, params.client_id);
    return sendHtml(res, 401, loginPage({ uid, clientName: name, email, error: WRONG_CREDENTIALS }));
  }
  log.info({ uid, sub: result.user.sub }, 'signed in');
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: result.user.sub } },
    { mergeWithLastSubmission: false },
  );
}

/** Grants what the client asked for (the dev provider has one first-party client, so consent is a formality). */
async function submitConsent(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name !== 'consent' || !session)
    throw new Error(`expected the consent prompt, got ${prompt.name}`);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
  if (!grant) throw new Error('the grant of this interaction has expired');
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function abort(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

export async function handleInteraction(
  context: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
  action: string | undefined,
): Promise<void> {
  const { provider } = context;
  try {
    if (req.method === 'GET' && !action) return await showPrompt(provider, req, res);
    if (req.method === 'POST' && action === 'login') return await submitLogin(context, req, res);
    if (req.method === 'POST' && action === 'confirm') return await submitConsent(provider, req, res);
    if (req.method === 'POST' && action === 'abort') return await abort(provider, req, res);
    return sendHtml(res, 405, messagePage('Method not allowed', `${req.method} is not allowed here.`));
  } catch (error) {
    // Usually an expired or unknown interaction (its cookie is gone): the user starts sign-in again.
    const message = error instanceof Error ? error.message : String(error);
    if (!res.headersSent) sendHtml(res, 400, messagePage('Sign-in could not continue', message));
  }
}
