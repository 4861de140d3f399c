// The Kubernetes objects of one StatelessApplication element, as pure functions of the element's
// context and properties: no client, no cluster, no clock. The driver applies exactly what these
// return, so the golden files and the schema validation in the tests check what a cluster gets.
//
// Objects (all in the stack's namespace, all carrying ownerLabels(), names from kubernetesName):
//   Deployment             <stack>-<element>-<t>          replicas = instances
//   Service                <stack>-<element>-<t>          NodePort or ClusterIP per serviceSpec; none
//                                                        without service ports
//   Secret                 <stack>-<element>-secret-<t>   the ContainerComponent's `secrets`, read by
//                                                        the container's env through secretKeyRef;
//                                                        none without secrets
//   PersistentVolumeClaim  <stack>-<element>-vol-<v>-<t>  one per named volume, shared by the
//                                                        instances, kept for the element's life
//                                                        (removed by delete, not by an update that
//                                                        drops the volume: the data outlives a typo)
// <t> is a short hash of the tenant, so tenants sharing a namespace never want the same name.
//
// Decisions where the template says more or less than a Deployment can:
// - restartPolicy: a Deployment's pods always restart (the API refuses anything but Always), so
//   OnFailure and Never are refused with a permanent error rather than silently run as Always.
// - exclusive (`exclusive` or true): required pod anti-affinity on the owner labels over
//   kubernetes.io/hostname; the rollout then replaces one pod before starting the next (maxSurge
//   0), since a surge pod would find no free host when instances = nodes.
// - healthCheck: the readiness probe (tcp or http); without one a running pod counts as ready.
// - Volumes: ReadWriteOnce claims of VOLUME_SIZE on the cluster's default storage class; instances
//   on several nodes need a storage class that allows that.
import { createHash } from 'node:crypto';
import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Namespace,
  V1PersistentVolumeClaim,
  V1PodSpec,
  V1Probe,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { containerComponentProperties, parseApplicationSpec, type ApplicationSpec } from '../workload/spec.js';
import { LABEL_ELEMENT, LABEL_STACK, LABEL_TENANT, PermanentDriverError, ownerLabels, physicalName, type ClusterTarget, type ElementContext } from '../types.js';

/** Marks a namespace AOS created (and so may delete once nothing of AOS remains in it). */
export const LABEL_CREATED_BY = 'aos.created-by';
export const CREATED_BY_AOS = 'aos';
/** Replicas a stopped Deployment had, so start can give them back. */
export const ANNOTATION_STOPPED_REPLICAS = 'aos.stopped-replicas';
/** A one-way hash of the Secret's data on the pod template: a changed secret rolls the pods. */
const ANNOTATION_SECRET_HASH = 'aos.secret-hash';
const CONTAINER_NAME = 'app';
const VOLUME_SIZE = '1Gi';
/** DNS-1035 labels (Service names) are at most this long; every name here fits one. */
const MAX_NAME_LENGTH = 63;
/**
 * The API server checks nodePort against its own service-node-port-range (a setting of each
 * cluster): the driver lets any port through and reports the server's refusal.
 */
const ANY_PORT = { min: 1, max: 65535 };

type NameContext = Pick<ElementContext, 'tenantId' | 'stackName' | 'element'>;
type RenderContext = Pick<ElementContext, 'tenantId' | 'stackId' | 'stackName' | 'namespace' | 'element' | 'requirements'> & { cluster?: Pick<ClusterTarget, 'stopGracePeriodSeconds'> | null };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `<stack>-<element>[-<suffix>]-<tenant tag>`: a DNS-1035 label of at most 63 characters. The
 * namespace is left out (objects live in it). A name too long is cut and given a hash of the whole,
 * so two long names that share a beginning still differ.
 */
export function kubernetesName(ctx: NameContext, suffix?: string): string {
  const tag = sha256(ctx.tenantId).slice(0, 8);
  let base = physicalName({ namespace: '', stackName: ctx.stackName, element: ctx.element }, suffix);
  // DNS-1035 wants a letter first; stack names may start with a digit.
  if (!/^[a-z]/.test(base)) base = `s-${base}`;
  const room = MAX_NAME_LENGTH - tag.length - 1;
  if (base.length > room) {
    const hash = sha256(base).slice(0, 6);
    base = `${base.slice(0, room - hash.length - 1).replace(/-+$/, '')}-${hash}`;
  }
  return `${base}-${tag}`;
}

/** The labels that select this element's pods: who owns them, without the namespace (objects are in it). */
export function selectorLabels(ctx: Pick<ElementContext, 'tenantId' | 'stackId' | 'element' | 'namespace'>): Record<string, string> {
  const own = ownerLabels(ctx);
  return { [LABEL_TENANT]: own[LABEL_TENANT], [LABEL_STACK]: own[LABEL_STACK], [LABEL_ELEMENT]: own[LABEL_ELEMENT] };
}

/** `key=value,…` for a list request. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The namespace AOS creates when the stack's is missing: labelled as created by AOS for this tenant and stack. */
export function namespaceManifest(ctx: Pick<ElementContext, 'tenantId' | 'stackId' | 'namespace'>): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ctx.namespace, labels: { [LABEL_CREATED_BY]: CREATED_BY_AOS, [LABEL_TENANT]: ctx.tenantId, [LABEL_STACK]: ctx.stackId } },
  };
}

interface KubernetesApplicationSpec extends ApplicationSpec {
  exclusive: boolean;
  /** Per volume name: mounted read-only. */
  readOnlyVolumes: Set<string>;
}

/** The application's desired state from its properties and its ContainerComponent's (checked, typed). */
function parseKubernetesSpec(ctx: Pick<RenderContext, 'requirements' | 'element' | 'cluster'>, properties: Record<string, unknown>): KubernetesApplicationSpec {
  const pkg = containerComponentProperties(ctx);
  const spec = parseApplicationSpec(properties, pkg, ANY_PORT, ctx.cluster?.stopGracePeriodSeconds);
  if (spec.restartPolicy !== 'Always') {
    throw new PermanentDriverError(
      `restartPolicy ${spec.restartPolicy} cannot be honoured on Kubernetes: a Deployment's pods always restart (the API accepts only Always); use restartPolicy Always, or a DOCKER cluster`,
      'UNSUPPORTED_RESTART_POLICY',
    );
  }
  const exclusive = properties.exclusive === true || properties.exclusive === 'exclusive';
  const readOnlyVolumes = new Set<string>();
  for (const entry of Array.isArray(pkg.volumes) ? (pkg.volumes as unknown[]) : []) {
    const volume = entry as { name?: unknown; readOnly?: unknown };
    if (volume.readOnly === true && typeof volume.name === 'string') readOnlyVolumes.add(volume.name);
  }
  return { ...spec, exclusive, readOnlyVolumes };
}

export interface ApplicationManifests {
  namespace: string;
  deployment: V1Deployment;
  /** Null: the application publishes no service ports. */
  service: V1Service | null;
  /** Null: the ContainerComponent has no secrets. */
  secret: V1Secret | null;
  volumeClaims: V1PersistentVolumeClaim[];
}

function readinessProbe(spec: KubernetesApplicationSpec): V1Probe | undefined {
  const check = spec.healthCheck;
  if (!check) return undefined;
  const timing = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
  return check.type === 'http' ? { httpGet: { path: check.path, port: check.port }, ...timing } : { tcpSocket: { port: check.port }, ...timing };
}

function protocolOf(protocol: 'tcp' | 'udp'): 'TCP' | 'UDP' {
  return protocol === 'tcp' ? 'TCP' : 'UDP';
}

/** Every object of the element, rendered from its context and (resolved) properties. */
export function renderApplication(ctx: RenderContext, properties: Record<string, unknown>): ApplicationManifests {
  const spec = parseKubernetesSpec(ctx, properties);
  const namespace = ctx.namespace;
  const labels = ownerLabels(ctx);
  const selector = selectorLabels(ctx);
  const name = kubernetesName(ctx);
  const secretName = kubernetesName(ctx, 'secret');
  const metadata = (objectName: string) => ({ name: objectName, namespace, labels: { ...labels } });

  let secret: V1Secret | null = null;
  if (spec.secrets.length > 0) {
    const data = Object.fromEntries(spec.secrets.map((s) => [s.name, Buffer.from(s.value, 'utf8').toString('base64')]));
    secret = { apiVersion: 'v1', kind: 'Secret', metadata: metadata(secretName), type: 'Opaque', data };
  }

  const volumeClaims: V1PersistentVolumeClaim[] = spec.volumes.map((v) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(kubernetesName(ctx, `vol-${v.name}`)),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: VOLUME_SIZE } } },
  }));

  const env: V1EnvVar[] = [
    ...spec.env.map((v) => ({ name: v.name, value: v.value })),
    ...spec.secrets.map((s) => ({ name: s.name, valueFrom: { secretKeyRef: { name: secretName, key: s.name } } })),
  ];
  const container: V1Container = {
    name: CONTAINER_NAME,
    image: spec.image,
    ...(spec.command.length > 0 ? { command: spec.command } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(spec.containerPorts.length > 0 ? { ports: spec.containerPorts.map((p) => ({ containerPort: p.containerPort, protocol: protocolOf(p.protocol) })) } : {}),
    ...(spec.volumes.length > 0
      ? { volumeMounts: spec.volumes.map((v, i) => ({ name: `vol-${i}`, mountPath: v.mountPath, ...(spec.readOnlyVolumes.has(v.name) ? { readOnly: true } : {}) })) }
      : {}),
    ...(spec.healthCheck ? { readinessProbe: readinessProbe(spec) } : {}),
  };
  const podSpec: V1PodSpec = {
    containers: [container],
    restartPolicy: 'Always',
    // Unset (by the element and the registration): Kubernetes' own default (30 s), as on Docker where the platform's default applies.
    ...(spec.stopGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: spec.stopGracePeriodSeconds } : {}),
    ...(spec.volumes.length > 0
      ? { volumes: spec.volumes.map((_v, i) => ({ name: `vol-${i}`, persistentVolumeClaim: { claimName: volumeClaims[i].metadata?.name ?? '' } })) }
      : {}),
    ...(spec.exclusive
      ? {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...selector } }, topologyKey: 'kubernetes.io/hostname' }],
            },
          },
        }
      : {}),
  };
  const secretHash = secret ? sha256(JSON.stringify(secret.data)).slice(0, 32) : null;
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name),
    spec: {
      replicas: spec.instances,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { ...selector } },
      strategy: { type: 'RollingUpdate', rollingUpdate: spec.exclusive ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...labels }, ...(secretHash ? { annotations: { [ANNOTATION_SECRET_HASH]: secretHash } } : {}) },
        spec: podSpec,
      },
    },
  };

  let service: V1Service | null = null;
  if (spec.servicePorts.length > 0) {
    service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(name),
      spec: {
        type: spec.serviceType,
        selector: { ...selector },
        ports: spec.servicePorts.map((p) => ({
          name: `${p.protocol}-${p.port}`,
          protocol: protocolOf(p.protocol),
          port: p.port,
          targetPort: p.targetPort,
          ...(spec.serviceType === 'NodePort' && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        })),
      },
    };
  }
  return { namespace, deployment, service, secret, volumeClaims };
}

/** The manifests in apply order (what the Deployment needs first), e.g. for golden files. */
export function manifestList(manifests: ApplicationManifests): (V1Deployment | V1Service | V1Secret | V1PersistentVolumeClaim)[] {
  return [...(manifests.secret ? [manifests.secret] : []), ...manifests.volumeClaims, manifests.deployment, ...(manifests.service ? [manifests.service] : [])];
}
