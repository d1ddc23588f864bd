// Kubernetes objects for one colour of one service (blue-green): a Deployment per colour and one
// stable Service whose selector names the live colour. Pure functions, unit-tested; deploy.mjs applies them.

export const services = {
  web: { port: 3000, portVar: 'WEB_PORT', public: true },
  ordering: { port: 9090, portVar: 'ORDERING_PORT', public: false },
  factory: { port: 9091, portVar: 'FACTORY_PORT', public: false },
};

/** Every service's INTERNAL_PORT (health, readiness details, metrics): probes use it, no Service exposes it. */
export const internalPort = 9464;

export const otherColour = (colour) => (colour === 'blue' ? 'green' : 'blue');

/** The Deployment of `service` in `colour`, running `image`; config comes from a Secret of the same name. */
export function deployment({ service, colour, image, replicas = 2, namespace = 'az-shop' }) {
  const { port, portVar } = services[service];
  const labels = { app: `az-shop-${service}`, colour };
  const probe = (path) => ({ httpGet: { path, port: internalPort }, periodSeconds: 5, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `az-shop-${service}-${colour}`, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: service,
              image,
              ports: [
                { name: 'http', containerPort: port },
                { name: 'internal', containerPort: internalPort },
              ],
              env: [
                { name: 'NODE_ENV', value: 'production' },
                { name: 'HOST', value: '0.0.0.0' },
                { name: portVar, value: String(port) },
                { name: 'INTERNAL_PORT', value: String(internalPort) },
              ],
              envFrom: [{ secretRef: { name: `az-shop-${service}` } }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** The stable Service of `service`; switching `liveColour` moves all traffic at once. */
export function stableService({ service, liveColour, namespace = 'az-shop' }) {
  const { port } = services[service];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `az-shop-${service}`, namespace },
    spec: {
      type: services[service].public ? 'LoadBalancer' : 'ClusterIP',
      selector: { app: `az-shop-${service}`, colour: liveColour },
      ports: [{ port: 80, targetPort: port }],
    },
  };
}

/** A Service that always points at one colour: the smoke tests reach the new colour before the switch. */
export function colourService({ service, colour, namespace = 'az-shop' }) {
  const stable = stableService({ service, liveColour: colour, namespace });
  return {
    ...stable,
    metadata: { ...stable.metadata, name: `az-shop-${service}-${colour}` },
    spec: { ...stable.spec, type: 'ClusterIP' },
  };
}

/**
 * The steps of one blue-green release: deploy the idle colour beside the live one, wait for it,
 * smoke-test it, switch the stable Services, keep the old colour running for rollback.
 */
export function releasePlan({ liveColour, image, serviceNames = Object.keys(services) }) {
  const next = liveColour ? otherColour(liveColour) : 'blue';
  return {
    next,
    previous: liveColour,
    steps: [
      ...serviceNames.map((service) => ({
        kind: 'apply',
        objects: [
          deployment({ service, colour: next, image: image(service) }),
          colourService({ service, colour: next }),
        ],
      })),
      ...serviceNames.map((service) => ({ kind: 'wait', deployment: `az-shop-${service}-${next}` })),
      ...serviceNames.map((service) => ({ kind: 'smoke', service: `az-shop-${service}-${next}` })),
      ...serviceNames.map((service) => ({
        kind: 'apply',
        objects: [stableService({ service, liveColour: next })],
      })),
    ],
  };
}
