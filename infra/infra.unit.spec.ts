// Structural checks of infra/ without the Bicep compiler (it cannot be installed here): they catch a
// parameter file out of step with main.bicep, a module path or module parameter that does not exist,
// an unexpected resource type or a preview API version, unbalanced brackets, a missing output the
// release needs, a lost security setting, and committed secrets. They do NOT type-check the
// template nor validate property names against Azure's schemas: `az bicep build` and `az deployment
// group what-if` do that (docs/deploy.md, "Provision").
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bracketProblems,
  modules,
  outputs,
  params,
  resources,
  secretLiterals,
  stripComments,
} from './bicep-structure';

const infra = dirname(fileURLToPath(import.meta.url));
const read = (path: string) => readFileSync(join(infra, path), 'utf8');
const main = read('main.bicep');
const moduleFiles = readdirSync(join(infra, 'modules')).filter((file) => file.endsWith('.bicep'));
const allBicep = ['main.bicep', ...moduleFiles.map((file) => `modules/${file}`)];
const parameterFile = JSON.parse(read('main.parameters.json')) as {
  parameters: Record<string, { value?: unknown; reference?: unknown }>;
};

describe('bicep-structure (the reader the checks below rely on)', () => {
  it('blanks comments but keeps strings that contain //', () => {
    const code = stripComments("var a = 'https://x' // note\n/* b\nc */ var d = 1");
    expect(code).toContain("'https://x'");
    expect(code).not.toContain('note');
    expect(code.split('\n')).toHaveLength(3);
  });

  it('reads parameters with their defaults and @secure()', () => {
    const found = params(
      "@secure()\n@description('x')\nparam a string = ''\nparam b int\nparam c bool = true",
    );
    expect(found).toEqual([
      { name: 'a', hasDefault: true, secure: true },
      { name: 'b', hasDefault: false, secure: false },
      { name: 'c', hasDefault: true, secure: false },
    ]);
  });

  it('reads modules with the parameters passed to them', () => {
    const source =
      "module m 'modules/m.bicep' = if (x) {\n  name: 'm'\n  params: {\n    a: 1\n    b: {\n      c: 2\n    }\n  }\n}\n";
    expect(modules(source)).toEqual([
      { symbol: 'm', path: 'modules/m.bicep', conditional: true, params: ['a', 'b'] },
    ]);
  });

  it('finds unbalanced brackets outside strings', () => {
    expect(bracketProblems("var a = { b: '}' }")).toEqual([]);
    expect(bracketProblems('var a = {\n  b: [\n}')).not.toEqual([]);
  });

  it('flags secret-looking literals and passes values built from parameters', () => {
    expect(secretLiterals("  password: 'hunter2hunter2'")).toHaveLength(1);
    expect(secretLiterals('  password: administratorPassword')).toEqual([]);
    expect(secretLiterals("var c = 'mongodb+srv://u:p4ss@host/db'")).toHaveLength(1);
    expect(secretLiterals("@secure()\nparam p string = 'not-empty'")).toHaveLength(1);
    expect(secretLiterals("@secure()\nparam p string = ''")).toEqual([]);
  });
});

describe('infra/main.bicep and its modules', () => {
  it('has balanced brackets in every file', () => {
    for (const file of allBicep) expect(bracketProblems(read(file)), file).toEqual([]);
  });

  it('declares every parameter that main.parameters.json sets, and no secure one is set there', () => {
    const declared = new Map(params(main).map((param) => [param.name, param]));
    for (const name of Object.keys(parameterFile.parameters)) {
      expect(declared.has(name), `${name} is set in main.parameters.json but not declared`).toBe(true);
      expect(declared.get(name)?.secure, `${name} is @secure(): pass it on the command line`).toBe(false);
    }
    // Every parameter without a default must come from the parameter file.
    for (const param of declared.values())
      if (!param.hasDefault) expect(Object.keys(parameterFile.parameters)).toContain(param.name);
  });

  it('references only module files that exist, and every module file is used', () => {
    const referenced = modules(main).map((module) => module.path);
    for (const path of referenced) expect(existsSync(join(infra, path)), path).toBe(true);
    expect(referenced.sort()).toEqual(moduleFiles.map((file) => `modules/${file}`).sort());
  });

  it('passes each module only parameters it declares, and every one it requires', () => {
    for (const module of modules(main)) {
      const declared = params(read(module.path));
      const names = declared.map((param) => param.name);
      for (const passed of module.params)
        expect(names, `${module.symbol} passes ${passed}`).toContain(passed);
      for (const param of declared.filter((entry) => !entry.hasDefault))
        expect(module.params, `${module.symbol} must pass ${param.name}`).toContain(param.name);
    }
  });

  it('uses the expected resource types, each at one non-preview API version', () => {
    const used = allBicep.flatMap((file) => resources(read(file)));
    expect([...new Set(used.map((resource) => resource.type))].sort()).toEqual(
      [
        'Microsoft.Authorization/roleAssignments',
        'Microsoft.ContainerRegistry/registries',
        'Microsoft.ContainerService/managedClusters',
        'Microsoft.DocumentDB/databaseAccounts',
        'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases',
        'Microsoft.DocumentDB/mongoClusters',
        'Microsoft.DocumentDB/mongoClusters/firewallRules',
        'Microsoft.Insights/components',
        'Microsoft.Insights/dataCollectionEndpoints',
        'Microsoft.Insights/dataCollectionRuleAssociations',
        'Microsoft.Insights/dataCollectionRules',
        'Microsoft.KeyVault/vaults',
        'Microsoft.KeyVault/vaults/secrets',
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
        'Microsoft.Monitor/accounts',
        'Microsoft.OperationalInsights/workspaces',
        'Microsoft.Storage/storageAccounts',
        'Microsoft.Storage/storageAccounts/blobServices',
        'Microsoft.Storage/storageAccounts/blobServices/containers',
      ].sort(),
    );
    for (const resource of used) expect(resource.apiVersion, resource.type).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const versions = new Map<string, Set<string>>();
    for (const resource of used)
      versions.set(resource.type, (versions.get(resource.type) ?? new Set()).add(resource.apiVersion));
    for (const [type, seen] of versions) expect([...seen], type).toHaveLength(1);
  });

  it('outputs what the release needs', () => {
    expect(outputs(main)).toEqual(
      expect.arrayContaining([
        'tenantId',
        'registryLoginServer',
        'clusterName',
        'appIdentityClientId',
        'keyVaultName',
        'storageAccountUrl',
        'prometheusQueryEndpoint',
        'applicationInsightsName',
      ]),
    );
  });

  it('provisions the database the `database` parameter names, and nothing for atlas', () => {
    const database = modules(main).filter((module) => module.path.startsWith('modules/cosmos'));
    expect(database.map((module) => module.conditional)).toEqual([true, true]);
    expect(main).toMatch(/module cosmosVcore '[^']+' = if \(database == 'cosmos-vcore'\)/);
    expect(main).toMatch(/module cosmosRu '[^']+' = if \(database == 'cosmos-ru'\)/);
    expect(read('modules/cosmos-vcore.bicep')).toMatch(/serverVersion: '7\.0'/);
    expect(read('modules/cosmos-ru.bicep')).toMatch(/type: 'Continuous'/);
  });

  it('keeps the security settings the design relies on', () => {
    const code = (path: string) => stripComments(read(path));
    expect(code('modules/registry.bicep')).toMatch(/adminUserEnabled: false/);
    const aks = code('modules/aks.bicep');
    for (const setting of [
      /oidcIssuerProfile: \{\s*enabled: true/,
      /workloadIdentity: \{\s*enabled: true/,
      /keda: \{\s*enabled: true/,
      /webAppRouting: \{\s*enabled: true/,
      /azureKeyvaultSecretsProvider: \{\s*enabled: true/,
      /metrics: \{\s*enabled: true/,
      /disableLocalAccounts: true/,
      /mode: 'System'/,
      /mode: 'User'/,
      /availabilityZones: availabilityZones/,
    ])
      expect(aks).toMatch(setting);
    const storage = code('modules/storage.bicep');
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(storage).toMatch(/containerName string = 'product-images'/);
    expect(code('modules/keyvault.bicep')).toMatch(/enableRbacAuthorization: true/);
    expect(code('modules/federation.bicep')).toMatch(
      /subject: 'system:serviceaccount:\$\{namespace\}:\$\{serviceAccount\}'/,
    );
    expect(code('modules/federation.bicep')).toMatch(/param namespace string = 'az-shop'/);
  });

  it('stores the Application Insights connection string in Key Vault from the component, never a literal', () => {
    const monitoring = stripComments(read('modules/monitoring.bicep'));
    expect(monitoring).toMatch(/WorkspaceResourceId: logs\.id/);
    expect(monitoring).toMatch(
      /resource \w+ 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = \{\s*parent: vault\s*name: 'applicationinsights-connection-string'\s*properties: \{\s*value: appInsights\.properties\.ConnectionString\b/,
    );
    expect(monitoring).toMatch(/resource vault 'Microsoft\.KeyVault\/vaults@[^']+' existing/);
  });

  it('commits no secret-looking literal', () => {
    for (const file of [...allBicep, 'main.parameters.json'])
      expect(secretLiterals(read(file)), relative(infra, join(infra, file))).toEqual([]);
    for (const [name, entry] of Object.entries(parameterFile.parameters))
      if (/password|secret|key/i.test(name)) expect(entry.value ?? '', name).toBe('');
  });

  it('says at the top of main.bicep that it was checked by reading only', () => {
    expect(main.split('\n').slice(0, 15).join('\n')).toMatch(/CHECKED BY READING ONLY/);
  });
});
