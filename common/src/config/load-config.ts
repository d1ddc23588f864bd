import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Static, TObject, TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** Thrown by `parseConfig`; `loadConfig` turns it into one line on stderr and exit code 1. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** The nearest `.env_local` walking up from `start`, so a service started from its own folder finds the project's. */
export function findEnvFile(start = process.cwd(), name = '.env_local'): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readEnvFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** Values of these never reach a log line, even when they are wrong. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY|CONNECTION_STRING|JWKS/i;

export function isSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A short human phrase for what a variable must be, from its schema. */
function describeExpected(schema: TSchema): string {
  const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf?.map((member) => member.const);
  if (options?.every((option) => option !== undefined)) return `must be one of ${options.join(', ')}`;
  const { type, pattern, minLength, minimum } = schema as {
    type?: string;
    pattern?: string;
    minLength?: number;
    minimum?: number;
  };
  if (type === 'integer' || type === 'number')
    return `must be ${type === 'integer' ? 'an integer' : 'a number'}${minimum !== undefined ? ` ≥ ${minimum}` : ''}`;
  if (pattern) return `must match ${pattern}`;
  if (minLength) return `must be at least ${minLength} characters`;
  return `must be a valid ${type ?? 'value'}`;
}

/**
 * Validates `env` against `schema`: applies defaults, converts numbers and booleans from text,
 * and reports every bad variable at once by name.
 */
export function parseConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined>,
): Static<T> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const candidate = Value.Convert(schema, Value.Default(schema, input));
  if (Value.Check(schema, candidate)) return candidate as Static<T>;

  // Checked one variable at a time: every bad one is named, not just the first few errors.
  const values = candidate as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties) as [string, TSchema][]) {
    const value = values[key];
    if (value === undefined) {
      if (schema.required?.includes(key)) problems.push(`${key} is missing`);
    } else if (!Value.Check(property, value)) {
      const shown = isSecret(key) ? 'a hidden value' : JSON.stringify(input[key]);
      problems.push(`${key} ${describeExpected(property)} (got ${shown})`);
    }
  }
  throw new ConfigError(problems);
}

export interface LoadConfigOptions {
  /** Defaults to the nearest `.env_local` above the working directory; `ENV_FILE` overrides it. */
  envFile?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads `.env_local`, lets the real environment win over it, validates, and on failure prints one
 * line naming each bad variable and exits with code 1: a service must never start half-configured.
 */
export function loadConfig<T extends TObject>(schema: T, options: LoadConfigOptions = {}): Static<T> {
  const env = options.env ?? process.env;
  const file = options.envFile ?? env.ENV_FILE ?? findEnvFile();
  try {
    return parseConfig(schema, { ...readEnvFile(file), ...env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}${file ? ` (read ${file} and the environment)` : ''}\n`);
    process.exit(1);
  }
}
