import { asksForTraceStore } from '../telemetry/settings';
import { isPublishedSecret } from './published-secrets';
import { redactSecrets } from './redact';
import { secretWeakness } from './secret-strength';

/** A validated configuration: defaults applied, only the variables that passed their schema. */
export type ConfigValues = Readonly<Record<string, unknown>>;

/**
 * One thing production must not run with: the problems it finds, one line each, none when it
 * holds. Rules skip variables that are absent (the schema decides what is required), except
 * `requiredInProduction`, for a variable only production must set.
 */
export type ProductionRule = (config: ConfigValues) => string[];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\./.test(hostname);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function stringValue(config: ConfigValues, name: string): string | undefined {
  const value = config[name];
  return typeof value === 'string' ? value : undefined;
}

function secretProblem(label: string, value: string): string | undefined {
  if (isPublishedSecret(value)) return `${label} is a value published in the repository`;
  const weakness = secretWeakness(value);
  return weakness && `${label} is too weak: ${weakness}`;
}

/**
 * Each named secret, when set, is neither published in the repository nor guessable (a rotation's
 * previous secret has a variable of its own, such as SESSION_SECRET_PREVIOUS: name it here too).
 */
export function secrets(...names: string[]): ProductionRule {
  return (config) =>
    names.flatMap((name) => {
      const value = stringValue(config, name);
      const problem = value ? secretProblem(name, value) : undefined;
      return problem ? [problem] : [];
    });
}

/** Each named URL is https on a host that is not loopback (loopback providers are dev ones). */
export function publicHttpsUrls(...names: string[]): ProductionRule {
  return (config) =>
    names.flatMap((name) => {
      const value = stringValue(config, name);
      if (value === undefined) return [];
      const url = parseUrl(value);
      if (url?.protocol === 'https:' && !isLoopback(url.hostname)) return [];
      return [`${name} must be an https URL on a public host (got ${JSON.stringify(redactSecrets(value))})`];
    });
}

/** A value that only makes sense in development, such as a dev provider or demo data. */
export function devOnlyValue(name: string, devValue: unknown, why: string): ProductionRule {
  return (config) =>
    config[name] === devValue ? [`${name}=${String(devValue)} is for development: ${why}`] : [];
}

/** An Azure Storage connection string for a real account: not Azurite's, over https, with an unpublished key. */
export function azureStorageConnectionString(name: string): ProductionRule {
  return (config) => {
    const value = stringValue(config, name);
    if (value === undefined) return [];
    if (/UseDevelopmentStorage=true/i.test(value)) return [`${name} is Azurite's development storage`];
    const fields = new Map(
      value
        .split(';')
        .map((field) => field.split(/=(.*)/s, 2) as [string, string?])
        .filter((pair): pair is [string, string] => pair[1] !== undefined)
        .map(([key, field]) => [key.trim().toLowerCase(), field.trim()]),
    );
    const problems: string[] = [];
    if (fields.get('accountname') === 'devstoreaccount1')
      problems.push(`${name} is Azurite's development account`);
    const key = fields.get('accountkey');
    if (key !== undefined && isPublishedSecret(key))
      problems.push(`${name} has an AccountKey published in the repository`);
    const plainHttp =
      fields.get('defaultendpointsprotocol') === 'http' ||
      [...fields].some(([field, endpoint]) => field.endsWith('endpoint') && /^http:/i.test(endpoint));
    if (plainHttp) problems.push(`${name} uses http: production storage is reached over https`);
    return problems;
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A MongoDB connection string fit for production: the database asks for credentials (a password,
 * or an `authMechanism` such as X.509 or workload identity), the password is not published, and
 * the connection is encrypted unless it stays on this machine.
 */
export function mongoConnectionString(name: string): ProductionRule {
  return (config) => {
    const value = stringValue(config, name);
    if (value === undefined) return [];
    const match = /^mongodb(\+srv)?:\/\/(?:([^\s/?#]*)@)?([^/?#]*)[^?#]*(?:\?([^#]*))?/i.exec(value);
    if (!match) return [];
    const [, srv, userinfo, hosts = '', query = ''] = match;
    const options = new Map(
      [...new URLSearchParams(query)].map(([key, option]) => [key.toLowerCase(), option]),
    );
    const problems: string[] = [];
    const password = userinfo?.includes(':')
      ? safeDecode(userinfo.slice(userinfo.indexOf(':') + 1))
      : undefined;
    if (!password && !options.has('authmechanism'))
      problems.push(
        `${name} has no credentials: a production database asks for a password or an authMechanism`,
      );
    if (password !== undefined && isPublishedSecret(password))
      problems.push(`${name} has a password published in the repository`);
    const tls = options.get('tls') ?? options.get('ssl') ?? (srv ? 'true' : 'false');
    const remote = hosts.split(',').some((host) => !isLoopback(host.replace(/:\d+$/, '')));
    if (tls !== 'true' && remote) problems.push(`${name} does not use TLS (tls=true, or mongodb+srv://)`);
    if (
      ['tlsinsecure', 'tlsallowinvalidcertificates', 'tlsallowinvalidhostnames'].some(
        (o) => options.get(o) === 'true',
      )
    )
      problems.push(`${name} turns TLS certificate checks off`);
    return problems;
  };
}

/** A variable optional in development that production must set. */
export function requiredInProduction(name: string, why: string): ProductionRule {
  return (config) => (config[name] === undefined ? [`${name} is required: ${why}`] : []);
}

/** Rules for the variables every service shares (`baseConfigProperties`); `loadConfig` always runs them. */
export const baseProductionRules: ProductionRule[] = [
  mongoConnectionString('MONGO_DB'),
  requiredInProduction(
    'INTERNAL_PORT',
    'without it the main port, which the ingress exposes, would serve readiness details and metrics',
  ),
  // telemetry.js ignores it there; refused rather than silently ignored, like the other dev-only values.
  (config) =>
    asksForTraceStore(config.TRACE_STORE)
      ? [
          "TRACE_STORE=mongo is for development: it would write every span into the shop's database; production traces go to the collector (OTEL_EXPORTER_OTLP_ENDPOINT)",
        ]
      : [],
];

/** Every problem the rules find in `config`, in rule order. */
export function productionProblems(config: ConfigValues, rules: readonly ProductionRule[]): string[] {
  return rules.flatMap((rule) => rule(config));
}
