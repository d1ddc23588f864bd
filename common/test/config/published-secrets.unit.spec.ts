import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPublishedSecret } from '../../src/config';

const root = join(import.meta.dirname, '../../..');

/** Where dev and test secrets are written: every tracked file under these, and every env example. */
const SCANNED = [
  /^\.env[^/]*$/,
  /\.example$/,
  /^emulators\/identity\//,
  /^web\/test\//,
  /^tests\/e2e\//,
  /^workflows\//,
];

const SECRET_NAME = /secret|passw(?:or)?d|tokens?$|(?:account|api|private|signing|access)_?key/i;

/** `NAME=value` lines (env files), `name: 'value'` / `name = 'value'` / `NAME: Type.String({ default: 'value' })` (code). */
const ASSIGNMENTS = [
  /^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)=([^\s'"#][^\s#]*)/gm,
  /([A-Za-z_]\w*)['"]?\s*[:=]\s*(?:[^'"`\n;]*?\bdefault:\s*)?(['"`])((?:(?!\2)[^\\\n]|\\.)*)\2/g,
];
/** Secrets inside other values: connection strings' keys and URLs' passwords. */
const EMBEDDED = [/\bAccountKey=([^;'"`\s]+)/g, /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s/@'"`]+)@/gi];

interface Found {
  file: string;
  name: string;
  value: string;
}

function secretsWritten(file: string, text: string): Found[] {
  const assigned: Found[] = [];
  for (const [, name = '', value = ''] of text.matchAll(ASSIGNMENTS[0]!))
    assigned.push({ file, name, value });
  for (const [, name = '', , value = ''] of text.matchAll(ASSIGNMENTS[1]!))
    assigned.push({ file, name, value });
  const embedded = EMBEDDED.flatMap((pattern) =>
    [...text.matchAll(pattern)].map(([match, value = '']) => ({ file, name: match.slice(0, 12), value })),
  );
  return [
    ...assigned.filter(({ name }) => SECRET_NAME.test(name) && !/CONNECTION_STRING/i.test(name)),
    ...embedded,
  ].filter(({ value }) => value !== '' && !value.includes('${'));
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => SCANNED.some((pattern) => pattern.test(file)));
}

describe('published secrets', () => {
  it('lists every secret value written in the repository, so production refuses it', () => {
    const files = trackedFiles();
    expect(files).toContain('.env_local.example');
    const written = files.flatMap((file) => secretsWritten(file, readFileSync(join(root, file), 'utf8')));
    // The scan finds the known ones (it would find nothing if its patterns broke).
    expect(written.map(({ value }) => value)).toEqual(
      expect.arrayContaining(['dev-only-session-secret-change-me-0123456789', 'shopper-password']),
    );
    const missing = written.filter(({ value }) => !isPublishedSecret(value));
    expect(missing, 'add these to common/src/config/published-secrets.ts').toEqual([]);
  });

  it('finds the forms secrets are written in', () => {
    const text = [
      'SESSION_SECRET=env-file-value',
      "  password: 'object-value',",
      "const DEV_ACCOUNT_KEY =\n  'multi-line-value';",
      "OIDC_CLIENT_SECRET: Type.String({ minLength: 16, default: 'schema-default' }),",
      'AZURE_STORAGE_CONNECTION_STRING=AccountName=a;AccountKey=embedded-key;',
      "const uri = 'mongodb://user:url-password@host/db';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal
      "idempotencyKey: 'not-a-secret', token = '', secret: `${interpolated}`",
    ].join('\n');
    expect(secretsWritten('f', text).map(({ value }) => value)).toEqual([
      'env-file-value',
      'object-value',
      'multi-line-value',
      'schema-default',
      'embedded-key',
      'url-password',
    ]);
  });
});
