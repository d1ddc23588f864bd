import fc from 'fast-check';
import { hostileString, mutationOf } from './hostile';
import { type FuzzRoute, PATH_PARAMETER, pathParameters, takesBody } from './routes';
import { arbitraryFromSchema, type Hints, type JsonSchema } from './schema-arbitrary';

/**
 * One request of the suite. `valid` cases were generated within every schema of the route, so they
 * may succeed and write; every other case should be refused with a 4xx and change nothing.
 */
export interface FuzzCase {
  kind: 'valid' | 'mutated' | 'raw';
  method: string;
  url: string;
  /** Content type and the like; the runner adds the session cookie and CSRF header when it sends. */
  headers: Record<string, string>;
  payload?: string;
}

/** Stands for the session's CSRF token in raw bodies; the runner puts the real one in. */
export const CSRF_PLACEHOLDER = '{{csrf}}';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Percent-encoding that keeps lone surrogates (as the WTF-8 bytes a careless client would send). */
export function encode(text: string): string {
  if (!LONE_SURROGATE.test(text)) return encodeURIComponent(text);
  let encoded = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    encoded +=
      char.length === 1 && code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(char);
  }
  return encoded;
}

/**
 * Node refuses request heads over 16 KB (431) before any route runs, so longer values in a URL test
 * nothing of ours; bodies keep their full length.
 */
const URL_VALUE_LENGTH = 8_000;

function text(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  const full =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return full.length > maxLength ? full.slice(0, maxLength) : full;
}

/** `name=value` pairs as a browser or a crafty client sends them: repeated names, `a[b]=` for objects. */
export function urlEncoded(fields: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  const value = (item: unknown) => encode(text(item, maxLength));
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return value(fields);
  const pairs: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const key = encode(text(name, maxLength));
    if (Array.isArray(field)) for (const item of field) pairs.push(`${key}=${value(item)}`);
    else if (typeof field === 'object' && field !== null)
      for (const [inner, innerValue] of Object.entries(field))
        pairs.push(`${encode(`${text(name, maxLength)}[${inner}]`)}=${value(innerValue)}`);
    else pairs.push(`${key}=${value(field)}`);
  }
  return pairs.join('&');
}

/** The route's URL with its parameters filled in (a mutated non-object fills them all); a wildcard keeps its slashes. */
function fillPath(url: string, params: unknown): string {
  return url.replace(PATH_PARAMETER, (_match, name: string | undefined) => {
    const raw =
      typeof params === 'object' && params !== null
        ? (params as Record<string, unknown>)[name ?? '*']
        : params;
    const value = text(raw ?? '', URL_VALUE_LENGTH);
    return name ? encode(value) : value.split('/').map(encode).join('/');
  });
}

/** Path segments that are not valid percent-encoding, escape the route, or are absurdly long. */
const rawSegment = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '..%2F..%2Fetc',
  '%00',
  '%2e%2e',
  '%C0%AE',
  'a'.repeat(5000),
);

/** Bodies no well-behaved client sends: broken JSON, deep nesting, 2 MB, wrong or lying content types. */
function rawBodies(): [string, string][] {
  const deepArray = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  const deepObject = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
  const big = `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`;
  return [
    [JSON_TYPE, '{'],
    [JSON_TYPE, '{"a":'],
    [JSON_TYPE, '[1,2'],
    [JSON_TYPE, ''],
    [JSON_TYPE, 'null'],
    [JSON_TYPE, '"text"'],
    [JSON_TYPE, '1e999'],
    [JSON_TYPE, '\uFEFF{}'],
    [JSON_TYPE, '{"a":1,"a":{"$gt":""}}'],
    [JSON_TYPE, '{"__proto__":{"polluted":true}}'],
    [JSON_TYPE, '{"constructor":{"prototype":{"polluted":true}}}'],
    [JSON_TYPE, '{"a":"\\ud800"}'],
    [JSON_TYPE, deepArray],
    [JSON_TYPE, deepObject],
    [JSON_TYPE, big],
    [`${JSON_TYPE}; charset=utf-16`, '{}'],
    ['text/plain', '{}'],
    ['application/xml', '<a/>'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
    ['', '{}'],
    [FORM_TYPE, '%'],
    [FORM_TYPE, 'a=%E0%A4%A'],
    [FORM_TYPE, 'a[b]=1&a[c][d]=2'],
    [FORM_TYPE, '__proto__[polluted]=1&constructor[prototype][polluted]=1'],
    [FORM_TYPE, `_csrf=${CSRF_PLACEHOLDER}&_csrf=${CSRF_PLACEHOLDER}`],
    [FORM_TYPE, `_csrf[$gt]=&_csrf=${CSRF_PLACEHOLDER}`],
    [FORM_TYPE, `a=${'x'.repeat(2 * 1024 * 1024)}`],
    [FORM_TYPE, Array.from({ length: 5000 }, (_, index) => `k${index}=v`).join('&')],
  ];
}

/** Built once: the large ones take a moment. */
const RAW_BODIES = rawBodies();

interface Parts {
  params: unknown;
  query: unknown;
  body: unknown;
}

function partArbitraries(route: FuzzRoute, hints: Hints) {
  const object = (schema: JsonSchema | undefined, names: string[]) =>
    schema
      ? arbitraryFromSchema(schema, hints)
      : fc.record(Object.fromEntries(names.map((name) => [name, hostileString])));
  return {
    params: object(route.params, pathParameters(route.url)),
    query: route.querystring ? arbitraryFromSchema(route.querystring, hints) : fc.constant({}),
    body: route.body ? arbitraryFromSchema(route.body, hints) : fc.constant(undefined),
  };
}

/** Valid parts, or one part (params, query or body) replaced by a mutation of it. */
function partsArbitrary(route: FuzzRoute, hints: Hints): fc.Arbitrary<{ parts: Parts; valid: boolean }> {
  const parts = partArbitraries(route, hints);
  const valid = fc.record(parts).map((value) => ({ parts: value, valid: true }));
  const mutated = (name: keyof Parts) =>
    fc
      .record(parts)
      .chain((value) =>
        mutationOf(value[name]).map((part) => ({ parts: { ...value, [name]: part } as Parts, valid: false })),
      );
  const targets: (keyof Parts)[] = ['query'];
  if (pathParameters(route.url).length > 0) targets.push('params');
  if (takesBody(route)) targets.push('body', 'body');
  return fc.oneof(
    { arbitrary: valid, weight: 1 },
    { arbitrary: fc.oneof(...targets.map(mutated)), weight: 3 },
  );
}

/**
 * Requests for one route: valid-ish and mutated inputs sent as JSON or urlencoded, plus raw
 * malformed bodies and broken path segments.
 */
export function casesFor(route: FuzzRoute, hints: Hints): fc.Arbitrary<FuzzCase> {
  const structured = fc
    .tuple(partsArbitrary(route, hints), fc.nat(3))
    .map(([{ parts, valid }, encoding]): FuzzCase => {
      const query = urlEncoded(parts.query, URL_VALUE_LENGTH);
      const request: FuzzCase = {
        kind: valid ? 'valid' : 'mutated',
        method: route.method,
        url: `${fillPath(route.url, parts.params)}${query ? `?${query}` : ''}`,
        headers: {},
      };
      if (!takesBody(route) || parts.body === undefined) return request;
      // Both parsers run on every route, so both encodings are sent: mostly urlencoded to form pages
      // (a free-form record body), half and half to the JSON API.
      const form = route.body?.patternProperties ? encoding > 0 : encoding % 2 === 0;
      request.headers['content-type'] = form ? FORM_TYPE : JSON_TYPE;
      request.payload = form ? urlEncoded(parts.body) : JSON.stringify(parts.body);
      return request;
    });
  const brokenPath = fc
    .tuple(rawSegment, fc.option(hostileString.map((value) => encode(text(value, URL_VALUE_LENGTH)))))
    .map(
      ([segment, query]): FuzzCase => ({
        kind: 'raw',
        method: route.method,
        url: `${route.url.replace(PATH_PARAMETER, segment)}${query === null ? '' : `?${query}=${query}`}`,
        headers: {},
      }),
    );
  const rawBody = fc.tuple(partArbitraries(route, hints).params, fc.constantFrom(...RAW_BODIES)).map(
    ([params, [type, payload]]): FuzzCase => ({
      kind: 'raw',
      method: route.method,
      url: fillPath(route.url, params),
      headers: type ? { 'content-type': type } : {},
      payload,
    }),
  );
  return fc.oneof(
    { arbitrary: structured, weight: 8 },
    { arbitrary: brokenPath, weight: 1 },
    ...(takesBody(route) ? [{ arbitrary: rawBody, weight: 1 }] : []),
  );
}
