import { get } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET and its whole answer: to check a route answers as a bench expects, and to copy it. */
export function probe(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (typeof value === 'string') answerHeaders[name] = value;
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks) });
      });
    }).on('error', reject);
  });
}

/** Headers Node's HTTP server writes itself, for any app. */
const CONNECTION_HEADERS = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
]);

/**
 * The ceiling for a route: a bare Fastify app (no plugins, hooks or logger) sending, at each path, a
 * copy of an answer web sent (status, headers, body: the same bytes on the wire), made by nothing.
 * From the bare app to it is what the answer's size costs; from it to web, web's own work.
 */
export async function sameAnswerApp(answers: Map<string, Answer>): Promise<FastifyInstance> {
  const app = Fastify();
  for (const [path, answer] of answers) {
    const headers = Object.fromEntries(
      Object.entries(answer.headers).filter(([name]) => !CONNECTION_HEADERS.has(name)),
    );
    app.get(path, async (_request, reply) => {
      reply.code(answer.status).headers(headers);
      return answer.status === 304 ? reply.send() : reply.send(answer.body);
    });
  }
  return app;
}
