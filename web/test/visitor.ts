import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import { HYDRATION_DATA_ID } from '../src/ui/hydration';
import { setCookieLines } from './helper';

/** A browser without JavaScript: keeps its session cookie and posts urlencoded forms. */
export class Visitor {
  constructor(
    private readonly app: FastifyInstance,
    public cookie = '',
  ) {}

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    const line = setCookieLines(response).find((candidate) => candidate.startsWith(`${SESSION_COOKIE}=`));
    if (line) this.cookie = line.split(';')[0] ?? '';
    return response;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.cookie && { cookie: this.cookie }), ...extra };
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: this.headers() }));
  }

  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        payload: new URLSearchParams(fields).toString(),
      }),
    );
  }

  /** Loads the page and posts its form as a browser would: with the page's CSRF token. */
  async submit(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(url);
    return this.post(url, { _csrf: hiddenField(page.body, '_csrf'), ...fields });
  }
}

export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no ${name} field in the page`);
  return value;
}

export function hydrationJson(html: string): string {
  const match = new RegExp(
    `<script type="application/json" id="${HYDRATION_DATA_ID}">([\\s\\S]*?)</script>`,
  ).exec(html);
  if (!match?.[1]) throw new Error('no hydration data in the page');
  return match[1];
}

/** The root route's data in a page's hydration JSON: who is asking, the CSRF token, the cart count. */
export interface RootData {
  session: { user: { sub: string; name: string; roles: string[] } | null; csrfToken: string };
  cartCount: number | null;
}

export function rootDataOf(html: string): RootData {
  return (JSON.parse(hydrationJson(html)) as { loaderData: { root: RootData } }).loaderData.root;
}

/** The script nonce a `Content-Security-Policy` header allows. */
export function cspNonce(csp: unknown): string | undefined {
  return /'nonce-([^']+)'/.exec(String(csp))?.[1];
}
