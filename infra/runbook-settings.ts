// What the runbook (docs/deploy.md, "Settings and secrets") must say about configuration: every
// variable the services read, each credential as a Key Vault secret. The variables are found in the
// services' source rather than by importing the schemas, because factory's and ordering's schemas are
// built inside their main.ts (importing it would start the service) and a new schema anywhere under
// src/ must be caught too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isSecret } from '@az-shop/common/config/load-config';

/** The services' source trees; emulators/ are development servers and never deployed. */
export const SERVICE_SOURCES = ['common/src', 'web/src', 'factory/src', 'ordering/src'];

const SKIPPED = /(^|\/)(testing|test|__fixtures__)(\/|$)|\.(unit|int|e2e)\.spec\.tsx?$/;

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (SKIPPED.test(path)) return [];
    if (entry.isDirectory()) return sourceFiles(root, path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Variable names a source file reads: upper-case keys of typebox schemas, and process.env reads. */
export function variablesIn(source: string): string[] {
  const patterns = [
    /^\s*([A-Z][A-Z0-9_]*[A-Z0-9]):\s*Type\./gm,
    /process\.env\.([A-Z][A-Z0-9_]*[A-Z0-9])\b/g,
    /process\.env\[\s*['"]([A-Z][A-Z0-9_]*[A-Z0-9])['"]\s*\]/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ''));
}

/** Every variable the deployed services read, with the files that read it. */
export function serviceVariables(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const dir of SERVICE_SOURCES)
    for (const file of sourceFiles(root, dir))
      for (const name of variablesIn(readFileSync(join(root, file), 'utf8')))
        found.set(name, [...new Set([...(found.get(name) ?? []), relative(root, join(root, file))])]);
  return found;
}

export interface SettingRow {
  variable: string;
  kind: string;
  production: string;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The rows of every table under the heading `## Settings and secrets`, by their Variable/Kind/In production columns. */
export function settingsTable(markdown: string): SettingRow[] {
  const start = markdown.search(/^## Settings and secrets\s*$/m);
  if (start < 0) return [];
  const rest = markdown.slice(start).split('\n');
  const end = rest.findIndex((line, index) => index > 0 && /^## /.test(line));
  const lines = rest.slice(0, end < 0 ? rest.length : end);
  const rows: SettingRow[] = [];
  let header: string[] | undefined;
  for (const line of lines) {
    if (!line.trim().startsWith('|')) {
      header = undefined;
      continue;
    }
    const row = cells(line);
    if (!header) {
      header = row.map((cell) => cell.toLowerCase());
      continue;
    }
    if (row.every((cell) => /^:?-+:?$/.test(cell))) continue;
    const at = (name: string) => row[header?.indexOf(name) ?? -1] ?? '';
    const variable = /^`([A-Z][A-Z0-9_]*)`$/.exec(at('variable'))?.[1];
    if (variable) rows.push({ variable, kind: at('kind'), production: at('in production') });
  }
  return rows;
}

/** Credentials by name (the rule load-config.ts uses to hide values), and MONGO_DB, which carries a password. */
export function isCredential(name: string): boolean {
  return name === 'MONGO_DB' || isSecret(name);
}

export function runbookProblems(variables: Iterable<string>, rows: SettingRow[]): string[] {
  const problems: string[] = [];
  const listed = new Map<string, SettingRow>();
  for (const row of rows) {
    if (listed.has(row.variable)) problems.push(`${row.variable} is listed twice`);
    listed.set(row.variable, row);
    if (!['secret', 'value'].includes(row.kind))
      problems.push(`${row.variable}: kind must be secret or value`);
    if (row.kind === 'secret' && !/`[a-z0-9]+(-[a-z0-9]+)*`/.test(row.production))
      problems.push(`${row.variable}: a secret row must name its Key Vault secret`);
  }
  for (const variable of variables) {
    const row = listed.get(variable);
    if (!row) problems.push(`${variable} is read by a service but missing from docs/deploy.md`);
    else if (isCredential(variable) && row.kind !== 'secret')
      problems.push(`${variable} is a credential: it must be a Key Vault secret, not a value`);
  }
  return problems;
}
