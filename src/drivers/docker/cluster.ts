// DOCKER clusters: an engine endpoint (and the address its ports are published on), checked at
// registration against the platform's endpoint policy; health is GET /version; what AOS owns on
// an engine is what carries the stack's label.
import type { TemplateProblemLike } from '../../domain/errors.js';
import { checkHostEndpoint, checkPublishAddress, checkUnixSocket, normalizeAddress, type EndpointPolicy } from '../endpoint-policy.js';
import { boundedGet } from '../guarded-connections.js';
import { fieldProblem, missingProblem, policyProblems, timedOutReason } from '../registration-problems.js';
import {
  DEFAULT_PUBLISH_ADDRESS,
  LABEL_STACK,
  type CheckedRegistration,
  type ClusterHealth,
  type ClusterProvider,
  type ClusterRegistration,
  type ClusterTarget,
} from '../types.js';
import { dockerClient } from './client.js';
import { containerComponentDriver } from '../workload/container-component.js';
import { DOCKER_ENDPOINT_HINT, readDockerEndpoint, type DockerEndpoint } from './endpoint.js';
import type { DockerSettings } from './settings.js';
import { createStatelessApplicationDriver } from './stateless-application.js';

/** /version of an engine is about 1 KiB: anything past this is not one. */
const HEALTH_MAX_BODY_BYTES = 4 * 1024;
/** Engine and API versions look like this; anything else is not shown (it would be the peer's text). */
const VERSION_TEXT = /^[0-9A-Za-z.+~-]{1,40}$/;

async function validateRegistration(input: ClusterRegistration, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const problems: TemplateProblemLike[] = [];
  let address: DockerEndpoint | null = null;
  if (!input.endpoint) {
    problems.push(missingProblem('endpoint', 'a DOCKER cluster needs an endpoint', 'tcp://host:2375'));
  } else {
    const read = readDockerEndpoint(input.endpoint);
    if ('problem' in read) problems.push(fieldProblem('endpoint', read.problem, DOCKER_ENDPOINT_HINT));
    else address = read.endpoint;
  }
  let publishAddress = DEFAULT_PUBLISH_ADDRESS;
  let engineAddress: string | null = null;
  if (address && policy) {
    const verdict = address.kind === 'unix' ? checkUnixSocket(policy, address.socketPath) : await checkHostEndpoint(policy, address.host, address.port);
    problems.push(...policyProblems('endpoint', verdict));
    if (verdict.ok) engineAddress = verdict.addresses[0] ?? null;
  }
  if (input.publishAddress !== undefined && input.publishAddress !== null) {
    const normalized = normalizeAddress(input.publishAddress);
    if (!normalized) problems.push(fieldProblem('publishAddress', `publishAddress "${input.publishAddress}" is not an IP address`, 'e.g. the engine host\'s address'));
    else if (policy) problems.push(...policyProblems('publishAddress', await checkPublishAddress(policy, normalized)));
    publishAddress = normalized ?? publishAddress;
  } else if (policy && engineAddress) {
    // A tenant's engine is another machine: its ports are published, and probed, on its address.
    publishAddress = engineAddress;
  }
  return { endpoint: input.endpoint ?? null, publishAddress, credentials: null, problems };
}

/**
 * Whether the cluster's engine answers GET /version like an engine, and its version. Not through
 * dockerode (which buffers whole bodies): one bounded request that ends within `timeoutMs`, reads
 * at most 4 KiB, and goes through the endpoint policy for a tenant's registration.
 */
async function health(target: ClusterTarget, timeoutMs: number): Promise<ClusterHealth> {
  const unhealthy = (message: string): ClusterHealth => ({ healthy: false, version: null, message });
  const read = target.endpoint ? readDockerEndpoint(target.endpoint) : null;
  if (!read || 'problem' in read) return unhealthy('the endpoint is not a Docker endpoint');
  const endpoint = read.endpoint;
  const answer = await boundedGet({
    target: endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath, path: '/version' } : { url: new URL(`http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/version`) },
    headers: { accept: 'application/json' },
    timeoutMs,
    maxBodyBytes: HEALTH_MAX_BODY_BYTES,
    policy: target.endpointPolicy ?? null,
  });
  if (!answer.ok) {
    return unhealthy(answer.failure === 'not an HTTP answer' ? 'not a Docker engine' : answer.failure === 'timed out' ? timedOutReason(timeoutMs) : answer.failure);
  }
  if (answer.status === 401 || answer.status === 403) return unhealthy('authentication failed');
  let version: unknown;
  try {
    version = answer.status === 200 && answer.complete ? JSON.parse(answer.body.toString('utf8')) : null;
  } catch {
    version = null;
  }
  const { Version, ApiVersion } = (version !== null && typeof version === 'object' ? version : {}) as { Version?: unknown; ApiVersion?: unknown };
  if (typeof Version !== 'string' || typeof ApiVersion !== 'string' || !VERSION_TEXT.test(Version) || !VERSION_TEXT.test(ApiVersion)) {
    return unhealthy('not a Docker engine');
  }
  return { healthy: true, version: `Docker ${Version} (API ${ApiVersion})`, message: null };
}

/** Containers, volumes and networks carrying `aos.stack=stackId`, as `container/<name>` …, sorted. */
async function listOwnedObjects(target: ClusterTarget, stackId: string): Promise<string[]> {
  const docker = dockerClient(target);
  const label = [`${LABEL_STACK}=${stackId}`];
  const [containers, volumes, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listVolumes({ filters: { label } }),
    docker.listNetworks({ filters: { label } }),
  ]);
  return [
    ...containers.map((c) => `container/${(c.Names[0] ?? c.Id).replace(/^\//, '')}`),
    ...(volumes.Volumes ?? []).map((v) => `volume/${v.Name}`),
    ...networks.map((n) => `network/${n.Name}`),
  ].sort();
}

export function createDockerProvider(settings: DockerSettings): ClusterProvider {
  return {
    kind: 'DOCKER',
    registrationFields: ['endpoint', 'publishAddress', 'stopGracePeriodSeconds'],
    validateRegistration,
    health,
    listOwnedObjects,
    drivers: [createStatelessApplicationDriver(settings), containerComponentDriver],
  };
}
