import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RETIRED_KINDS } from '../release/decisions';
import { type Manifest, renderObjects, toYaml } from './index';
import { COLOUR_LABEL, type Release } from './pod';
import { VALIDATED_KINDS, validateObject } from './validate';
import { COLOURS, type Colour, loadValues } from './values';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const release = (colour: Colour, digests: Release['digests'] = {}): Release => ({
  colour,
  tag: '1.2.3',
  digests,
  values: loadValues(colour),
});
const find = (objects: Manifest[], kind: string, name: string) => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`no ${kind}/${name}`);
  return object;
};
const clone = <T>(value: T): T => structuredClone(value);

// Compiling the CRD schemas takes seconds on a busy machine.
describe('deploy:render', { timeout: 60_000 }, () => {
  describe.each(COLOURS)('the %s release', (colour) => {
    const objects = renderObjects(release(colour));

    it('renders the objects the design names, each once', () => {
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(
        expect.arrayContaining([
          'Namespace/az-shop',
          'ServiceAccount/az-shop',
          'SecretProviderClass/az-shop-web',
          'SecretProviderClass/az-shop-factory',
          'SecretProviderClass/az-shop-ordering',
          'SecretProviderClass/az-shop-smoke',
          'Rollout/web',
          'Service/web',
          'Service/web-preview',
          'Service/web-internal',
          'AnalysisTemplate/smoke',
          'AnalysisTemplate/processor-handover',
          `Deployment/factory-${colour}`,
          `Deployment/ordering-${colour}`,
          `Service/factory-${colour}`,
          `Service/ordering-${colour}`,
          `ScaledObject/factory-${colour}`,
          `TriggerAuthentication/ordering-${colour}`,
          'HorizontalPodAutoscaler/web',
          'Ingress/web',
          'ClusterIssuer/letsencrypt-production',
          'Certificate/az-shop-tls',
          'NetworkPolicy/default-deny',
          'SecretProviderClass/az-shop-otel-collector',
          'ConfigMap/otel-collector',
          'Service/otel-collector',
          'Deployment/otel-collector',
          'PodDisruptionBudget/otel-collector',
        ]),
      );
      // The other colour's processors are left alone (they stay until `retire`).
      const other = colour === 'blue' ? 'green' : 'blue';
      expect(names.filter((name) => name.endsWith(`-${other}`))).toEqual([]);
    });

    it('labels with the colour only kinds that retire deletes, so retire leaves nothing of a colour', () => {
      const coloured = objects.filter((o) => o.metadata.labels?.[COLOUR_LABEL] === colour);
      expect(coloured.map((o) => o.metadata.name)).toContain(`factory-${colour}`);
      for (const o of coloured)
        expect(RETIRED_KINDS, `${o.kind}/${o.metadata.name}`).toContain(`${o.kind.toLowerCase()}s`);
    });

    it('validates every object against its Kubernetes or CRD schema', () => {
      const problems = objects.flatMap((o) =>
        validateObject(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`),
      );
      expect(problems).toEqual([]);
    });

    it('sets the colour on every pod and hands the processors over to it', () => {
      const rollout = find(objects, 'Rollout', 'web');
      const env = (
        rollout.spec as { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } }
      ).template.spec.containers[0]?.env;
      expect(env).toContainEqual({ name: 'RELEASE_COLOUR', value: colour });
      const handover = find(objects, 'AnalysisTemplate', 'processor-handover');
      // The colour is the template's argument, defaulting to this release's (first-release overrides it).
      expect((handover.spec as { args: unknown[] }).args).toEqual([{ name: 'colour', value: colour }]);
      expect(JSON.stringify(handover)).toContain(JSON.stringify(['handover', '--colour', '{{args.colour}}']));
    });
  });

  describe('the validator', () => {
    const objects = renderObjects(release('green'));

    it('refuses a probe whose timeout is a string', () => {
      const deployment = clone(find(objects, 'Deployment', 'factory-green'));
      const container = (
        deployment.spec as { template: { spec: { containers: Record<string, Record<string, unknown>>[] } } }
      ).template.spec.containers[0]!;
      container.readinessProbe!.timeoutSeconds = '3';
      expect(validateObject(deployment).join()).toMatch(/readinessProbe\/timeoutSeconds must be integer/);
    });

    it('refuses an unknown field in a Rollout, and in its pod template', () => {
      const rollout = clone(find(objects, 'Rollout', 'web'));
      (rollout.spec as Record<string, unknown>).autoPromote = true;
      expect(validateObject(rollout).join()).toMatch(/additional properties \(autoPromote\)/);
      const nested = clone(find(objects, 'Rollout', 'web'));
      const strategy = (nested.spec as { strategy: { blueGreen: Record<string, unknown> } }).strategy
        .blueGreen;
      strategy.scaleDownDelay = 900;
      expect(validateObject(nested).join()).toMatch(/scaleDownDelay\)/);
      const template = clone(find(objects, 'Rollout', 'web'));
      const pod = (template.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
        .template.spec;
      pod.containers[0]!.readinessProb = {};
      expect(validateObject(template).join()).toMatch(
        /containers\/0 must NOT have additional properties \(readinessProb\)/,
      );
    });

    it("refuses an unknown field in a Deployment's pod template", () => {
      const deployment = clone(find(objects, 'Deployment', 'ordering-green'));
      const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      pod.topologySpread = [];
      expect(validateObject(deployment).join()).toMatch(
        /\/spec\/template\/spec must NOT have additional properties \(topologySpread\)/,
      );
    });

    it('refuses a SecretProviderClass with a misspelt field and an unknown kind', () => {
      const provider = clone(find(objects, 'SecretProviderClass', 'az-shop-web'));
      (provider.spec as Record<string, unknown>).secretObject = [];
      expect(validateObject(provider)).not.toEqual([]);
      expect(validateObject({ apiVersion: 'v1', kind: 'Pod' })).toEqual(['no schema for v1/Pod']);
    });

    it('knows every kind a release renders', () => {
      expect(VALIDATED_KINDS).toEqual(
        expect.arrayContaining(objects.map((o) => `${o.apiVersion}/${o.kind}`)),
      );
    });
  });

  describe('the YAML', () => {
    it('is stable across renders, one document per object, with sorted keys', () => {
      const first = toYaml(renderObjects(release('blue')));
      expect(toYaml(renderObjects(release('blue')))).toBe(first);
      const documents = parseAllDocuments(first).map((doc) => doc.toJS() as Manifest);
      expect(documents).toEqual(renderObjects(release('blue')));
      expect(first.startsWith('---\napiVersion: v1\nkind: Namespace\nmetadata:\n')).toBe(true);
      const service = documents.find((d) => d.kind === 'Service')!;
      expect(Object.keys(service)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(Object.keys(service.spec as object)).toEqual([...Object.keys(service.spec as object)].sort());
    });

    it('pins an image by digest when given one, by tag otherwise', () => {
      const yaml = toYaml(renderObjects(release('green', { web: DIGEST })));
      expect(yaml).toContain(`image: azshopacr.azurecr.io/az-shop-web:1.2.3@${DIGEST}\n`);
      expect(yaml).toContain('image: azshopacr.azurecr.io/az-shop-factory:1.2.3\n');
      expect(yaml).toContain('image: azshopacr.azurecr.io/az-shop-smoke:1.2.3\n');
    });
  });
});
