/**
 * Test helpers that sign in through the dev provider's forms with plain fetch, the way a browser
 * would: follow redirects by hand, keep cookies per origin, fill in email and password, press Allow.
 */
import { findUserByEmail } from './accounts';

/** Cookies per origin; enough for tests against loopback servers (no expiry, domain or path rules). */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const cookies = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.byOrigin.set(origin, cookies);
  }

  header(url: string): string {
    const cookies = this.byOrigin.get(new URL(url).origin) ?? new Map<string, string>();
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(origin: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(origin).origin)?.get(name);
  }
}

/** One request without following redirects, carrying and collecting cookies. */
export async function fetchWithJar(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(url, response);
  return response;
}

interface HtmlForm {
  action: string;
  fields: Record<string, string>;
}

/** The first POST form of a page whose action matches `actionPattern`, with its named inputs' values. */
export function findForm(html: string, actionPattern: RegExp): HtmlForm | undefined {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = /action="([^"]*)"/i.exec(match[1] ?? '')?.[1]?.replace(/&amp;/g, '&');
    if (!action || !actionPattern.test(action)) continue;
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(input[1] ?? '')?.[1];
      if (name) fields[name] = /value="([^"]*)"/i.exec(input[1] ?? '')?.[1] ?? '';
    }
    return { action, fields };
  }
  return undefined;
}

export interface SignInOptions {
  jar: CookieJar;
  /** The authorization request URL (at the provider) or a URL of the app that redirects to it. */
  startUrl: string;
  email: string;
  /** Defaults to the seeded user's dev password, looked up by `email`. */
  password?: string;
  /** Stop when a redirect goes to a URL starting with this (the client's redirect URI). */
  stopAt: string;
  /** Guards against a redirect loop. */
  maxSteps?: number;
}

/**
 * Drives login and consent until the provider redirects to `stopAt`; returns that URL (with `code`
 * and `state`). Throws with the page text when the flow stops somewhere unexpected.
 */
export async function signInThroughForms(options: SignInOptions): Promise<string> {
  const password = options.password ?? findUserByEmail(options.email)?.password ?? '';
  let url = options.startUrl;
  let init: RequestInit = {};
  for (let step = 0; step < (options.maxSteps ?? 20); step++) {
    const response = await fetchWithJar(options.jar, url, init);
    init = {};
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url).href;
      if (next.startsWith(options.stopAt)) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    const login = findForm(html, /\/login$/);
    const consent = findForm(html, /\/confirm$/);
    const form = login ?? consent;
    if (!response.ok || !form)
      throw new Error(`sign-in stopped at ${url} (${response.status}): ${html.slice(0, 500)}`);
    const fields = login ? { ...form.fields, email: options.email, password } : form.fields;
    url = new URL(form.action, url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    };
  }
  throw new Error(`sign-in did not reach ${options.stopAt} within ${options.maxSteps ?? 20} steps`);
}

/**
 * Changes a seeded user's roles at the provider, as an administrator would at a real one: tokens
 * issued from then on (a refresh included) carry the new roles. For tests in the same process.
 */
export function setDevUserRoles(email: string, roles: string[]): () => void {
  const user = findUserByEmail(email);
  if (!user) throw new Error(`no dev user ${email}`);
  const before = user.roles;
  user.roles = [...roles];
  return () => {
    user.roles = before;
  };
}
