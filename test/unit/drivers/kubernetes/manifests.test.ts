// The Kubernetes manifests of a StatelessApplication, checked without a cluster: the quick-start
// template rendered against committed golden files, and every rendered manifest (the quick-start
// and variants covering secrets, volumes, ClusterIP, health checks, exclusive, 0 instances)
// validated against the official Kubernetes OpenAPI schemas.
//
// The schemas are those of `kubernetes-models` 5.x, generated from Kubernetes v1.36.0 (its
// changelog: "Update to Kubernetes v1.36.0"); `@kubernetes-models/validate` runs them (ajv).
//
// AOS_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing with them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runValidateFunc, type ValidateFunc } from '@kubernetes-models/validate';
import { dump } from 'js-yaml';
import { validate as validateDeployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as validateNamespace } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as validatePersistentVolumeClaim } from 'kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim';
import { validate as validateSecret } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret';
import { validate as validateService } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../src/config.js';
import { kubernetesName, manifestList, namespaceManifest, renderApplication } from '../../../../src/drivers/kubernetes/manifests.js';
import { PermanentDriverError, type RequiredNode } from '../../../../src/drivers/types.js';
import { analyzeTemplate, resolveTemplate } from '../../../../src/template/index.js';

const GOLDEN_DIR = path.join(repoRoot, 'test', 'fixtures', 'kubernetes');
const UPDATE_GOLDEN = process.env.AOS_UPDATE_GOLDEN === '1';

const VALIDATORS: Record<string, { apiVersion: string; validate: ValidateFunc<unknown> }> = {
  Deployment: { apiVersion: 'apps/v1', validate: validateDeployment as ValidateFunc<unknown> },
  Service: { apiVersion: 'v1', validate: validateService as ValidateFunc<unknown> },
  Secret: { apiVersion: 'v1', validate: validateSecret as ValidateFunc<unknown> },
  PersistentVolumeClaim: { apiVersion: 'v1', validate: validatePersistentVolumeClaim as ValidateFunc<unknown> },
  Namespace: { apiVersion: 'v1', validate: validateNamespace as ValidateFunc<unknown> },
};

/** DNS-1035 label (Service names; the strictest of the names used). */
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A label value. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** What the OpenAPI schemas do not say: names and label values the API server would refuse. */
function assertValid(manifest: { apiVersion?: string; kind?: string; metadata?: { name?: string; labels?: Record<string, string> } }): void {
  const kind = manifest.kind ?? '';
  const entry = VALIDATORS[kind];
  expect(entry, `a validator for ${kind}`).toBeDefined();
  expect(manifest.apiVersion).toBe(entry.apiVersion);
  expect(() => runValidateFunc(entry.validate, manifest), `${kind} ${manifest.metadata?.name}`).not.toThrow();
  expect(manifest.metadata?.name).toMatch(DNS_1035);
  for (const value of Object.values(manifest.metadata?.labels ?? {})) expect(value).toMatch(LABEL_VALUE);
}

const CTX = {
  tenantId: '7d1c3f9e-2b4a-4c61-9f0e-5a8b7c6d5e4f',
  stackId: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  stackName: 'quickstart',
  namespace: 'aos-demo',
  element: 'nginx-app',
};

function quickstartResolved() {
  const text = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'nginx-quickstart.yaml'), 'utf8');
  const analysis = analyzeTemplate(text);
  expect(analysis.problems).toEqual([]);
  const result = resolveTemplate(analysis.doc!, { image: 'aos-test/httpd:1', instance: 2 });
  expect(result.problems).toEqual([]);
  return result.resolved!;
}

function quickstartManifests() {
  const resolved = quickstartResolved();
  const app = resolved.nodes['nginx-app'];
  const requirements: Record<string, RequiredNode> = {};
  for (const [requirement, node] of Object.entries(app.requirements)) {
    requirements[requirement] = { name: node, type: resolved.nodes[node].type, properties: resolved.nodes[node].properties };
  }
  return renderApplication({ ...CTX, requirements }, app.properties);
}

function component(pkg: Record<string, unknown>): Record<string, RequiredNode> {
  return { package: { name: 'web-container', type: 'CTC.ServiceStage.ContainerComponent', properties: { package: { image: 'aos-test/httpd:1', ...pkg } } } };
}

const NODE_PORT_SERVICE = { type: 'NodePort', ports: [{ protocol: 'TCP', port: 80 }] };

const VARIANTS: { name: string; pkg: Record<string, unknown>; app: Record<string, unknown> }[] = [
  {
    name: 'secrets, env and command',
    pkg: {
      command: ['httpd', '-f', '-p', '80'],
      env: [{ name: 'GREETING', value: 'hello' }, { name: 'RETRIES', value: 3 }],
      secrets: [{ name: 'API_TOKEN', value: 'token-value' }, { name: 'DB_PASSWORD', value: 'p@ss word' }],
      ports: [{ containerPort: 80 }],
      serviceSpec: NODE_PORT_SERVICE,
    },
    app: { instances: 1 },
  },
  {
    name: 'volumes (one read-only)',
    pkg: { volumes: [{ name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/app', readOnly: true }], serviceSpec: NODE_PORT_SERVICE },
    app: { instances: 2 },
  },
  {
    name: 'ClusterIP, several ports, UDP and a fixed nodePort-less service',
    pkg: {
      ports: [{ containerPort: 8080 }, { containerPort: 5353, protocol: 'UDP' }],
      serviceSpec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }, { protocol: 'UDP', port: 53, targetPort: 5353 }] },
    },
    app: { instances: 3 },
  },
  {
    name: 'NodePort with a fixed nodePort',
    pkg: { serviceSpec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 443, targetPort: 8443 }] } },
    app: { instances: 1 },
  },
  { name: 'http health check', pkg: { serviceSpec: NODE_PORT_SERVICE }, app: { healthCheck: { type: 'http', port: 80, path: '/healthz' } } },
  { name: 'tcp health check', pkg: { serviceSpec: NODE_PORT_SERVICE }, app: { healthCheck: { type: 'tcp', port: 80 } } },
  { name: 'exclusive', pkg: { serviceSpec: NODE_PORT_SERVICE }, app: { instances: 3, exclusive: 'exclusive' } },
  { name: 'exclusive as true', pkg: {}, app: { instances: 2, exclusive: true } },
  { name: '0 instances, no service', pkg: {}, app: { instances: 0 } },
  { name: 'stop grace period', pkg: { serviceSpec: NODE_PORT_SERVICE }, app: { stopGracePeriodSeconds: 3 } },
];

describe('Kubernetes manifests: the quick-start template', () => {
  it('renders as the golden file says', () => {
    const manifests = quickstartManifests();
    const text = [
      '# The quick-start template (test/fixtures/nginx-quickstart.yaml, image aos-test/httpd:1, instance 2)\n',
      '# rendered by src/drivers/kubernetes/manifests.ts. Rewrite with AOS_UPDATE_GOLDEN=1.\n',
      ...manifestList(manifests).map((m) => `---\n${dump(m, { lineWidth: -1, noRefs: true })}`),
    ].join('');
    const file = path.join(GOLDEN_DIR, 'nginx-quickstart.yaml');
    if (UPDATE_GOLDEN || !existsSync(file)) {
      writeFileSync(file, text);
      if (!UPDATE_GOLDEN) throw new Error(`${file} was missing: written now, check it and commit it`);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('is a Deployment of 2 and a NodePort Service, both valid and labelled, with no Secret or claim', () => {
    const manifests = quickstartManifests();
    expect(manifests.deployment.spec?.replicas).toBe(2);
    expect(manifests.service?.spec?.type).toBe('NodePort');
    expect(manifests.secret).toBeNull();
    expect(manifests.volumeClaims).toEqual([]);
    for (const manifest of manifestList(manifests)) {
      assertValid(manifest);
      expect(manifest.metadata?.namespace).toBe('aos-demo');
      expect(manifest.metadata?.labels).toEqual({ 'aos.tenant': CTX.tenantId, 'aos.stack': CTX.stackId, 'aos.element': 'nginx-app', 'aos.namespace': 'aos-demo' });
    }
    expect(manifests.deployment.spec?.template.metadata?.labels).toEqual(manifests.deployment.metadata?.labels);
  });
});

describe('Kubernetes manifests: variants, each valid against the schemas', () => {
  for (const variant of VARIANTS) {
    it(variant.name, () => {
      const manifests = renderApplication({ ...CTX, element: 'web', requirements: component(variant.pkg) }, { type: 'container', ...variant.app });
      const list = manifestList(manifests);
      expect(list.length).toBeGreaterThan(0);
      for (const manifest of list) assertValid(manifest);
      // Pods are selected by the owner labels, and carry them all.
      const podLabels = manifests.deployment.spec?.template.metadata?.labels ?? {};
      for (const [key, value] of Object.entries(manifests.deployment.spec?.selector.matchLabels ?? {})) expect(podLabels[key]).toBe(value);
      if (manifests.service) expect(manifests.service.spec?.selector).toEqual(manifests.deployment.spec?.selector.matchLabels);
    });
  }
  it('(the validation itself refuses a manifest the API server would refuse)', () => {
    const manifests = quickstartManifests();
    const broken = { ...manifests.deployment, spec: { ...manifests.deployment.spec, replicas: 'two' } };
    expect(() => runValidateFunc(VALIDATORS.Deployment.validate, broken)).toThrow(/replicas/);
    const noImage = structuredClone(manifests.deployment);
    noImage.spec!.template.spec!.containers[0].ports![0].containerPort = 'http' as unknown as number;
    expect(() => runValidateFunc(VALIDATORS.Deployment.validate, noImage)).toThrow(/containerPort/);
  });

  it('the namespace AOS creates', () => {
    assertValid(namespaceManifest(CTX));
    expect(namespaceManifest(CTX).metadata?.labels?.['aos.created-by']).toBe('aos');
  });

  it('keeps secret values out of the Deployment: env reads them from the Secret', () => {
    const variant = VARIANTS[0];
    const manifests = renderApplication({ ...CTX, element: 'web', requirements: component(variant.pkg) }, variant.app);
    const deployment = JSON.stringify(manifests.deployment);
    expect(deployment).not.toContain('token-value');
    expect(deployment).not.toContain('p@ss word');
    const env = manifests.deployment.spec?.template.spec?.containers[0].env ?? [];
    expect(env.find((e) => e.name === 'API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: manifests.secret?.metadata?.name, key: 'API_TOKEN' });
    expect(env.find((e) => e.name === 'RETRIES')?.value).toBe('3');
    expect(Buffer.from(manifests.secret?.data?.DB_PASSWORD ?? '', 'base64').toString('utf8')).toBe('p@ss word');
    // A changed secret changes the pod template, so the pods are rolled.
    const other = renderApplication(
      { ...CTX, element: 'web', requirements: component({ ...variant.pkg, secrets: [{ name: 'API_TOKEN', value: 'rotated' }, { name: 'DB_PASSWORD', value: 'p@ss word' }] }) },
      variant.app,
    );
    expect(other.deployment.spec?.template.metadata?.annotations).not.toEqual(manifests.deployment.spec?.template.metadata?.annotations);
  });

  it('gives each volume a claim mounted by every instance', () => {
    const variant = VARIANTS[1];
    const manifests = renderApplication({ ...CTX, element: 'web', requirements: component(variant.pkg) }, variant.app);
    const pod = manifests.deployment.spec?.template.spec;
    expect(pod?.volumes?.map((v) => v.persistentVolumeClaim?.claimName)).toEqual(manifests.volumeClaims.map((c) => c.metadata?.name));
    expect(pod?.containers[0].volumeMounts).toEqual([
      { name: 'vol-0', mountPath: '/data' },
      { name: 'vol-1', mountPath: '/etc/app', readOnly: true },
    ]);
  });

  it('spreads exclusive instances over hosts and replaces them one at a time', () => {
    const manifests = renderApplication({ ...CTX, element: 'web', requirements: component({}) }, { instances: 3, exclusive: 'exclusive' });
    const term = manifests.deployment.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
    expect(term?.topologyKey).toBe('kubernetes.io/hostname');
    expect(term?.labelSelector?.matchLabels).toEqual(manifests.deployment.spec?.selector.matchLabels);
    expect(manifests.deployment.spec?.strategy?.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    const shared = renderApplication({ ...CTX, element: 'web', requirements: component({}) }, { instances: 3, exclusive: 'default' });
    expect(shared.deployment.spec?.template.spec?.affinity).toBeUndefined();
  });

  it('maps stopGracePeriodSeconds to the pods\' terminationGracePeriodSeconds; unset leaves the cluster\'s default', () => {
    const podSpec = (app: Record<string, unknown>) => renderApplication({ ...CTX, element: 'web', requirements: component({}) }, { type: 'container', ...app }).deployment.spec?.template.spec;
    expect(podSpec({ stopGracePeriodSeconds: 3 })?.terminationGracePeriodSeconds).toBe(3);
    expect(podSpec({ stopGracePeriodSeconds: 0 })?.terminationGracePeriodSeconds).toBe(0);
    expect(podSpec({})).not.toHaveProperty('terminationGracePeriodSeconds');
    expect(() => podSpec({ stopGracePeriodSeconds: 301 })).toThrow(/stopGracePeriodSeconds/);
  });

  it("takes the grace registered with the cluster when the element sets none; the element's own wins", () => {
    const podSpec = (app: Record<string, unknown>) =>
      renderApplication({ ...CTX, element: 'web', requirements: component({}), cluster: { stopGracePeriodSeconds: 7 } }, { type: 'container', ...app }).deployment.spec?.template.spec;
    expect(podSpec({})?.terminationGracePeriodSeconds).toBe(7);
    expect(podSpec({ stopGracePeriodSeconds: 1 })?.terminationGracePeriodSeconds).toBe(1);
  });

  it('refuses a restart policy a Deployment cannot have, before anything is applied', () => {
    for (const restartPolicy of ['Never', 'OnFailure']) {
      let failure: unknown;
      try {
        renderApplication({ ...CTX, requirements: component({}) }, { restartPolicy });
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(PermanentDriverError);
      expect((failure as PermanentDriverError).reason).toBe('UNSUPPORTED_RESTART_POLICY');
    }
  });
});

describe('Kubernetes object names', () => {
  it('are DNS-1035 labels of at most 63 characters, whatever the stack and element are called', () => {
    const names = [
      kubernetesName(CTX),
      kubernetesName({ ...CTX, stackName: '9lives' }),
      kubernetesName({ ...CTX, stackName: 'x'.repeat(120), element: 'y'.repeat(63) }, 'vol-data'),
      kubernetesName({ ...CTX, stackName: 'Mixed_Case.Stack', element: 'A--b' }),
    ];
    for (const name of names) expect(name).toMatch(DNS_1035);
  });

  it('differ between tenants, and between long names that share their beginning', () => {
    expect(kubernetesName(CTX)).not.toBe(kubernetesName({ ...CTX, tenantId: 'another-tenant' }));
    const long = { ...CTX, stackName: 's'.repeat(80) };
    expect(kubernetesName({ ...long, element: 'first' })).not.toBe(kubernetesName({ ...long, element: 'second' }));
    expect(kubernetesName(CTX)).toBe(kubernetesName({ ...CTX }));
  });
});
