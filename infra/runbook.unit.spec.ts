// docs/deploy.md lists every variable the deployed services read, each credential as a Key Vault
// secret, and every Key Vault secret it names is one the runbook tells the operator to set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../workflows/env-file.mjs';
import {
  isCredential,
  runbookProblems,
  serviceVariables,
  settingsTable,
  variablesIn,
} from './runbook-settings';

const runbook = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
const variables = serviceVariables(root);
const rows = settingsTable(runbook);

describe('the variables the services read', () => {
  it('are found in schemas and process.env reads, not in tests', () => {
    expect(
      variablesIn(
        "const s = Type.Object({\n  MONGO_DB: Type.String(),\n  camelCase: Type.String(),\n  PORT_X: Type.Optional(Type.Integer()),\n});\nprocess.env.LOG_LEVEL; process.env['HOST'];",
      ).sort(),
    ).toEqual(['HOST', 'LOG_LEVEL', 'MONGO_DB', 'PORT_X']);
    // The scan reaches every service's schema (base, web, factory's and ordering's own and main.ts).
    for (const name of [
      'MONGO_DB',
      'SESSION_SECRET',
      'FACTORY_PORT',
      'ORDERING_PORT',
      'FACTORY_TICK_MS',
      'STOCK_RETIRE_OUTPUTS',
    ])
      expect(variables.has(name), name).toBe(true);
    // Test helpers (common/src/testing) are not deployed configuration.
    expect(variables.has('MONGO_TEST_URI')).toBe(false);
  });
});

describe('docs/deploy.md, "Settings and secrets"', () => {
  it('lists every variable the services read, credentials as Key Vault secrets', () => {
    expect(rows.length).toBeGreaterThan(40);
    expect(runbookProblems(variables.keys(), rows)).toEqual([]);
  });

  it('names Key Vault secrets the runbook tells the operator to set', () => {
    const setting = runbook.slice(runbook.indexOf('## 6. Secrets into Key Vault'), runbook.indexOf('## 7.'));
    const named = rows
      .filter((row) => row.kind === 'secret' && !/only while rotating/.test(row.production))
      .flatMap((row) => [...row.production.matchAll(/`([a-z0-9-]+)`/g)].map((match) => match[1] ?? ''));
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(setting, name).toMatch(new RegExp(`(--name|put) ${name}\\b`));
  });

  it('fails for a variable missing from the table, or a credential listed as a value', () => {
    expect(runbookProblems(['NEW_SETTING'], rows)).toEqual([
      'NEW_SETTING is read by a service but missing from docs/deploy.md',
    ]);
    const asValue = rows.map((row) => (row.variable === 'SESSION_SECRET' ? { ...row, kind: 'value' } : row));
    expect(runbookProblems(['SESSION_SECRET'], asValue)).toEqual([
      'SESSION_SECRET is a credential: it must be a Key Vault secret, not a value',
    ]);
    const withoutMongo = runbook.replace(/^\| `MONGO_DB`.*\n/m, '');
    expect(runbookProblems(variables.keys(), settingsTable(withoutMongo))).toEqual([
      'MONGO_DB is read by a service but missing from docs/deploy.md',
    ]);
    expect(isCredential('MONGO_DB') && isCredential('AZURE_STORAGE_CONNECTION_STRING')).toBe(true);
  });
});
