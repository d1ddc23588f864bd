// Validates rendered objects without a cluster: the kubernetes-models validator of each kind (types,
// required fields, enums of the Kubernetes OpenAPI and the CRDs), and for custom resources also the
// vendored CRD schemas (schemas/README.md), which refuse unknown fields as the API server would.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Ajv, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** The model of every kind a release renders, by `apiVersion/kind`. */
const MODELS: Record<string, ModelClass> = Object.fromEntries(
  [
    Namespace,
    ServiceAccount,
    ConfigMap,
    Service,
    Deployment,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
    Ingress,
    NetworkPolicy,
    Rollout,
    AnalysisTemplate,
    ScaledObject,
    TriggerAuthentication,
    Certificate,
    ClusterIssuer,
  ].map((model) => [`${model.apiVersion}/${model.kind}`, model as unknown as ModelClass]),
);

const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'schemas');

/** The vendored CRD schema of each custom kind (SecretProviderClass has no npm model: this is its only check). */
const CRD_SCHEMAS: Record<string, string> = {
  'argoproj.io/v1alpha1/Rollout': 'argoproj.io_rollout_v1alpha1.json',
  'argoproj.io/v1alpha1/AnalysisTemplate': 'argoproj.io_analysistemplate_v1alpha1.json',
  'keda.sh/v1alpha1/ScaledObject': 'keda.sh_scaledobject_v1alpha1.json',
  'keda.sh/v1alpha1/TriggerAuthentication': 'keda.sh_triggerauthentication_v1alpha1.json',
  'cert-manager.io/v1/Certificate': 'cert-manager.io_certificate_v1.json',
  'cert-manager.io/v1/ClusterIssuer': 'cert-manager.io_clusterissuer_v1.json',
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass':
    'secrets-store.csi.x-k8s.io_secretproviderclass_v1.json',
};

// Formats (int-or-string, date-time…) are the API server's business; these schemas check shape.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();

function crdValidator(key: string): ValidateFunction | undefined {
  const file = CRD_SCHEMAS[key];
  if (!file) return undefined;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Core kinds have no strict schema here (TypeScript refuses their unknown fields at compile time),
 * but a Deployment's pod template is the biggest of them, and the Rollout CRD carries the full
 * PodTemplateSpec with unknown fields refused: its pod template is checked against that.
 */
function podTemplateValidator(): ValidateFunction {
  let validate = compiled.get('PodTemplateSpec');
  if (!validate) {
    const rollout = JSON.parse(
      readFileSync(join(SCHEMA_DIR, 'argoproj.io_rollout_v1alpha1.json'), 'utf8'),
    ) as {
      properties: { spec: { properties: { template: object } } };
    };
    validate = ajv.compile(rollout.properties.spec.properties.template);
    compiled.set('PodTemplateSpec', validate);
  }
  return validate;
}

function ajvProblems(validate: ValidateFunction, prefix = ''): string[] {
  return (validate.errors ?? []).map(
    (error) =>
      `${prefix}${error.instancePath || '/'} ${error.message ?? 'is invalid'}${
        error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
          : ''
      }`,
  );
}

/** Every kind this module can check. */
export const VALIDATED_KINDS: readonly string[] = [
  ...new Set([...Object.keys(MODELS), ...Object.keys(CRD_SCHEMAS)]),
];

/** The problems of one object, none when it is valid; a kind without a schema is a problem too. */
export function validateObject(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const model = MODELS[key];
  const crd = crdValidator(key);
  if (!model && !crd) return [`no schema for ${key}`];
  const problems: string[] = [];
  if (model) {
    try {
      new model(structuredClone(object) as never).validate();
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (crd && !crd(object)) problems.push(...ajvProblems(crd));
  if (key === 'apps/v1/Deployment') {
    const podTemplate = podTemplateValidator();
    const template = (object as { spec?: { template?: unknown } }).spec?.template;
    if (!podTemplate(template)) problems.push(...ajvProblems(podTemplate, '/spec/template'));
  }
  return problems;
}
