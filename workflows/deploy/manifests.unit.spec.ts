import { describe, expect, it } from 'vitest';
import { deployment, otherColour, releasePlan, stableService } from './manifests.mjs';

describe('blue-green manifests', () => {
  it('labels each colour apart and probes health and readiness', () => {
    const d = deployment({ service: 'ordering', colour: 'green', image: 'acr/az-shop-ordering:2' });
    expect(d.metadata.name).toBe('az-shop-ordering-green');
    expect(d.spec.selector.matchLabels).toEqual({ app: 'az-shop-ordering', colour: 'green' });
    const container = d.spec.template.spec.containers[0]!;
    // Probes use the internal port, which the Services never route.
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9464 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9464 });
    expect(container.env).toContainEqual({ name: 'ORDERING_PORT', value: '9090' });
    expect(container.env).toContainEqual({ name: 'INTERNAL_PORT', value: '9464' });
    expect(stableService({ service: 'ordering', liveColour: 'green' }).spec.ports).toEqual([
      { port: 80, targetPort: 9090 },
    ]);
  });

  it('routes the stable service to the live colour only', () => {
    expect(stableService({ service: 'web', liveColour: 'blue' }).spec.selector).toEqual({
      app: 'az-shop-web',
      colour: 'blue',
    });
  });

  it('releases to the idle colour, smoke-tests it before switching, and starts with blue', () => {
    const plan = releasePlan({ liveColour: 'blue', image: (s: string) => `acr/${s}:3` });
    expect(plan.next).toBe('green');
    const kinds = plan.steps.map((step) => step.kind);
    const lastSmoke = kinds.lastIndexOf('smoke');
    const switches = plan.steps.filter(
      (step) =>
        'objects' in step &&
        step.objects[0]?.kind === 'Service' &&
        !step.objects[0].metadata.name.endsWith('-green'),
    );
    expect(switches).toHaveLength(3);
    expect(plan.steps.indexOf(switches[0]!)).toBeGreaterThan(lastSmoke);
    expect(releasePlan({ liveColour: undefined, image: () => 'x' }).next).toBe('blue');
    expect(otherColour('green')).toBe('blue');
  });
});
