// KUBERNETES clusters: a kubeconfig (sealed, never returned) whose API server passes the
// platform's endpoint policy; health is GET /version; what AOS owns on a cluster is what carries
// the stack's label; StatelessApplication (with its ContainerComponent) is deployed as a
// Deployment and a Service (stateless-application.ts).
import type { TemplateProblemLike } from '../../domain/errors.js';
import { checkHostEndpoint, type EndpointPolicy } from '../endpoint-policy.js';
import { boundedGet } from '../guarded-connections.js';
import { fieldProblem, missingProblem, policyProblems, timedOutReason } from '../registration-problems.js';
import { parseHost } from '../endpoint-addresses.js';
import { containerComponentDriver } from '../workload/container-component.js';
import {
  DEFAULT_PUBLISH_ADDRESS,
  LABEL_STACK,
  type CheckedRegistration,
  type ClusterHealth,
  type ClusterProvider,
  type ClusterRegistration,
  type ClusterTarget,
} from '../types.js';
import { driverError, kubernetesClient } from './client.js';
import { parseKubeconfig, record } from './kubeconfig.js';
import type { KubernetesSettings } from './settings.js';
import { createStatelessApplicationDriver } from './stateless-application.js';

/** A Kubernetes /version answer is a few hundred bytes. */
const HEALTH_MAX_BODY_BYTES = 4 * 1024;

/** host and port of an http(s) URL, IPv6 without brackets. */
function hostPortOfUrl(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

async function validateRegistration(input: ClusterRegistration, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const problems: TemplateProblemLike[] = [];
  const result: CheckedRegistration = { endpoint: null, publishAddress: DEFAULT_PUBLISH_ADDRESS, credentials: null, problems };
  if (!input.kubeconfig) {
    problems.push(missingProblem('kubeconfig', 'a KUBERNETES cluster needs a kubeconfig'));
    return result;
  }
  const parsed = parseKubeconfig(input.kubeconfig);
  problems.push(...parsed.problems);
  if (parsed.access && policy) {
    const { host, port } = hostPortOfUrl(new URL(parsed.access.server));
    problems.push(...policyProblems('kubeconfig', await checkHostEndpoint(policy, host, port)));
  }
  result.endpoint = parsed.access?.server ?? null;
  result.credentials = { kubeconfig: input.kubeconfig };
  // Where NodePorts are reached: the nodes' address, or a load balancer in front of them. Only
  // handed out in attributes (AOS never connects there), so no policy applies. Default: the API
  // server's host, which is a node on small clusters.
  if (input.publishAddress !== undefined && input.publishAddress !== null) {
    const host = input.publishAddress.trim().length <= 64 ? parseHost(input.publishAddress) : null;
    if (!host) problems.push(fieldProblem('publishAddress', 'publishAddress must be a host name or an IP address of at most 64 characters', 'the address NodePorts are reached at, e.g. 203.0.113.10 or nodes.example.com'));
    else result.publishAddress = host.kind === 'ip' ? host.address : host.name;
  } else if (parsed.access) {
    result.publishAddress = hostPortOfUrl(new URL(parsed.access.server)).host;
  }
  return result;
}

/** GET /version of the API server: one bounded request, readable anonymously on most clusters. */
async function health(target: ClusterTarget, timeoutMs: number): Promise<ClusterHealth> {
  const unhealthy = (message: string): ClusterHealth => ({ healthy: false, version: null, message });
  if (!target.kubeconfig) return unhealthy('no kubeconfig stored');
  const { access } = parseKubeconfig(target.kubeconfig);
  if (!access) return unhealthy('the stored kubeconfig cannot be used');
  const decode = (data?: string) => (data ? Buffer.from(data, 'base64') : undefined);
  const answer = await boundedGet({
    target: { url: new URL(`${access.server}/version`) },
    headers: { accept: 'application/json', ...(access.token ? { authorization: `Bearer ${access.token}` } : {}) },
    tls: { ca: decode(access.caData), cert: decode(access.certData), key: decode(access.keyData), rejectUnauthorized: !access.insecure },
    timeoutMs,
    maxBodyBytes: HEALTH_MAX_BODY_BYTES,
    policy: target.endpointPolicy ?? null,
  });
  if (!answer.ok) {
    return unhealthy(answer.failure === 'timed out' ? timedOutReason(timeoutMs) : answer.failure === 'not an HTTP answer' ? 'not a Kubernetes API server' : answer.failure);
  }
  if (answer.status === 401 || answer.status === 403) return unhealthy('authentication failed');
  let parsed: Record<string, unknown> = {};
  try {
    parsed = answer.status === 200 && answer.complete ? record(JSON.parse(answer.body.toString('utf8'))) : {};
  } catch {
    parsed = {};
  }
  // The version is the server's own text: shown only when it looks like one.
  const gitVersion = typeof parsed.gitVersion === 'string' && /^v?[0-9A-Za-z.+-]{1,40}$/.test(parsed.gitVersion) ? parsed.gitVersion : null;
  if (answer.status !== 200 || !gitVersion) return unhealthy('not a Kubernetes API server');
  return { healthy: true, version: `Kubernetes ${gitVersion}`, message: null };
}

/**
 * Deployments, Services, Secrets, claims and namespaces carrying `aos.stack=stackId`, in every
 * namespace, as `deployment/<name>` …, sorted. Needs a kubeconfig allowed to list cluster-wide;
 * without that the call fails and the engine reports what it recorded instead.
 */
async function listOwnedObjects(settings: KubernetesSettings, target: ClusterTarget, stackId: string): Promise<string[]> {
  const { core, apps } = kubernetesClient(target, settings);
  const labelSelector = `${LABEL_STACK}=${stackId}`;
  try {
    const lists = await Promise.all([
      apps.listDeploymentForAllNamespaces({ labelSelector }).then((l) => ['deployment', l.items] as const),
      core.listServiceForAllNamespaces({ labelSelector }).then((l) => ['service', l.items] as const),
      core.listSecretForAllNamespaces({ labelSelector }).then((l) => ['secret', l.items] as const),
      core.listPersistentVolumeClaimForAllNamespaces({ labelSelector }).then((l) => ['persistentvolumeclaim', l.items] as const),
      core.listNamespace({ labelSelector }).then((l) => ['namespace', l.items] as const),
    ]);
    return lists.flatMap(([kind, items]) => items.map((item) => `${kind}/${item.metadata?.name ?? '?'}`)).sort();
  } catch (error) {
    throw driverError(error, `listing what stack ${stackId} owns`);
  }
}

export function createKubernetesProvider(settings: KubernetesSettings): ClusterProvider {
  return {
    kind: 'KUBERNETES',
    registrationFields: ['kubeconfig', 'publishAddress', 'stopGracePeriodSeconds'],
    validateRegistration,
    health,
    listOwnedObjects: (target, stackId) => listOwnedObjects(settings, target, stackId),
    drivers: [createStatelessApplicationDriver(settings), containerComponentDriver],
  };
}
