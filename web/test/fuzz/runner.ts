import type { Readable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from 'mongodb';
import { changedCollections, digestOf } from './digest';
import { CSRF_PLACEHOLDER, type FuzzCase } from './requests';

/** Whose requests the suite sends: a signed-in shopper's cookie and CSRF token, renewed when lost. */
export interface Visitor {
  cookie: string;
  token: string;
  /** Signs in again when a case ended the session (a sign-out is a valid request too). */
  ensureSignedIn(): Promise<void>;
}

export interface Finding {
  route: string;
  problem: string;
  status?: number;
  request: { method: string; url: string; contentType?: string; payload?: string };
}

export interface RouteReport {
  route: string;
  cases: number;
  statuses: Record<number, number>;
  serverErrors: number;
  /** Digests of the data taken: a batch each, more where successes write. */
  digests: number;
  ms: number;
}

/** Cases between two digests when none of them may write; on a mismatch they are replayed one by one. */
const BATCH = 50;
/** A case still unanswered after this long is a finding (a hung handler), not a slow test. */
const CASE_TIMEOUT_MS = 15_000;

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function send(app: FastifyInstance, visitor: Visitor, request: FuzzCase): Promise<Answer> {
  const response: LightMyRequestResponse = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: { ...request.headers, cookie: visitor.cookie, 'x-csrf-token': visitor.token },
    ...(request.payload !== undefined && {
      payload: request.payload.replaceAll(CSRF_PLACEHOLDER, visitor.token),
    }),
    payloadAsStream: true,
  });
  const contentType = String(response.headers['content-type'] ?? '');
  if (contentType.startsWith('text/event-stream')) {
    // A live stream never ends by itself: leave as a browser closing the page would.
    (response.raw.res as { destroy(): void }).destroy();
    return { status: response.statusCode, contentType, body: '' };
  }
  return { status: response.statusCode, contentType, body: await readAll(response.stream()) };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A refusal of the JSON API must be the one error model: `{ error, message, details? }`. */
function errorBodyProblem(answer: Answer): string | null {
  if (answer.status < 400 || !answer.contentType.startsWith('application/json')) return null;
  try {
    const body = JSON.parse(answer.body) as { error?: unknown; message?: unknown };
    return typeof body.error === 'string' && typeof body.message === 'string'
      ? null
      : `error body is not { error, message }: ${answer.body.slice(0, 200)}`;
  } catch {
    return `error body is not JSON: ${answer.body.slice(0, 200)}`;
  }
}

const prototypeKeys = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).join());

/**
 * Sends one route's cases and checks the invariants: every answer is below 500 and comes; a JSON
 * refusal has the error model's shape; no prototype changes; and the stored data is unchanged by
 * refused cases. A digest of the data ends each batch of cases; when it moved, the refused cases of
 * the batch are replayed one by one between digests to name the one that wrote (successes may
 * write). On a route where successes write, each valid case then gets its own digests.
 */
export async function fuzzRoute(
  app: FastifyInstance,
  db: Db,
  route: string,
  cases: FuzzCase[],
  visitor: Visitor,
  findings: Finding[],
): Promise<RouteReport> {
  const started = Date.now();
  const report: RouteReport = { route, cases: 0, statuses: {}, serverErrors: 0, digests: 0, ms: 0 };
  const prototypes = prototypeKeys().join('|');
  const digest = () => {
    report.digests += 1;
    return digestOf(db);
  };
  const found = (request: FuzzCase, problem: string, status?: number) =>
    findings.push({
      route,
      problem,
      ...(status !== undefined && { status }),
      request: {
        method: request.method,
        url: request.url.slice(0, 300),
        ...(request.headers['content-type'] !== undefined && {
          contentType: request.headers['content-type'],
        }),
        ...(request.payload !== undefined && { payload: request.payload.slice(0, 300) }),
      },
    });

  /** Sends a case and checks its answer; replays (`counted` false) are checked but not counted again. */
  async function run(request: FuzzCase, counted = true): Promise<number> {
    let answer: Answer;
    try {
      answer = await withTimeout(send(app, visitor, request), CASE_TIMEOUT_MS);
    } catch (error) {
      found(request, `request failed: ${(error as Error).message}`);
      return 599;
    }
    if (counted) {
      report.cases += 1;
      report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
    }
    if (answer.status >= 500) {
      if (counted) report.serverErrors += 1;
      found(request, `answered ${answer.status}: ${answer.body.slice(0, 200)}`, answer.status);
    }
    const shape = errorBodyProblem(answer);
    if (shape) found(request, shape, answer.status);
    return answer.status;
  }

  /** Replays refused cases one at a time, each between two digests, to name those that wrote. */
  async function replay(refused: FuzzCase[]) {
    let before = await digest();
    for (const request of refused) {
      const status = await run(request, false);
      const after = await digest();
      const changed = changedCollections(before, after);
      if (status >= 400 && changed.length > 0)
        found(request, `refused with ${status} but changed ${changed.join(', ')}`, status);
      before = after;
    }
    return before;
  }

  await visitor.ensureSignedIn();
  let baseline = await digest();
  let batch: { request: FuzzCase; status: number }[] = [];
  /** Once a batch showed that successes write here, valid cases get a digest before and after. */
  let isolate = false;
  /** Ends a batch: compares the data with the baseline, and names the refused cases that wrote. */
  async function check() {
    if (batch.length === 0) return;
    const now = await digest();
    const sent = batch;
    batch = [];
    if (changedCollections(baseline, now).length === 0) return;
    if (sent.some(({ status }) => status < 400)) isolate = true;
    const refused = sent.filter(({ status }) => status >= 400).map(({ request }) => request);
    // Replayed against today's data they may answer differently; what they write now is what counts.
    baseline = refused.length > 0 ? await replay(refused) : now;
  }

  for (const [index, request] of cases.entries()) {
    const isolated = isolate && request.kind === 'valid';
    if (isolated) await check();
    batch.push({ request, status: await run(request) });
    if (isolated || batch.length >= BATCH) await check();
    if (index % BATCH === BATCH - 1) {
      if (prototypeKeys().join('|') !== prototypes) found(request, 'a prototype changed (pollution)');
      await visitor.ensureSignedIn();
    }
  }
  await check();
  report.ms = Date.now() - started;
  return report;
}
