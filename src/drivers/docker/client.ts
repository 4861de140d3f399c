// Docker engine clients built from a registered cluster, plus the two cluster-level queries the
// lifecycle engine needs (engine health, objects a stack still owns).
import Docker from 'dockerode';
import { LABEL_STACK, PermanentDriverError, type ClusterTarget } from '../types.js';

/** Inactivity bound of one engine request; long streams (pulls) refresh it with every chunk. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** A health check must answer quickly, also when a tcp endpoint silently drops packets. */
const HEALTH_REQUEST_TIMEOUT_MS = 5_000;

export interface DockerClientOptions {
  /** Inactivity timeout of each request, in ms. */
  timeoutMs?: number;
}

/** How to reach an engine, parsed from `unix:///path` or `tcp://host:port` (`http://` alike). */
export type DockerEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

export function parseDockerEndpoint(endpoint: string): DockerEndpoint {
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new PermanentDriverError(`Docker endpoint ${endpoint} must be unix:///absolute/path`, 'INVALID_ENDPOINT');
    }
    return { kind: 'unix', socketPath };
  }
  const match = /^(?:tcp|http):\/\/([^/:]+|\[[^\]]+\]):(\d{1,5})\/?$/.exec(endpoint);
  if (match) {
    return { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
  }
  throw new PermanentDriverError(
    `Docker endpoint ${endpoint} is not supported: use unix:///path/to/docker.sock or tcp://host:port`,
    'INVALID_ENDPOINT',
  );
}

function requireEndpoint(target: ClusterTarget): string {
  if (target.kind !== 'DOCKER') {
    throw new PermanentDriverError(`cluster ${target.name} is ${target.kind}, not DOCKER`, 'WRONG_CLUSTER_KIND');
  }
  if (!target.endpoint) {
    throw new PermanentDriverError(`cluster ${target.name} has no Docker endpoint`, 'INVALID_ENDPOINT');
  }
  return target.endpoint;
}

/** A dockerode client for the cluster's engine. Cheap: no connection is made until a request. */
export function dockerClient(target: ClusterTarget, options: DockerClientOptions = {}): Docker {
  const endpoint = parseDockerEndpoint(requireEndpoint(target));
  const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // docker-modem merges DOCKER_HOST from the environment under these options: every field that
  // could point elsewhere is set explicitly so the cluster's endpoint alone decides.
  if (endpoint.kind === 'unix') {
    return new Docker({ socketPath: endpoint.socketPath, host: undefined, port: undefined, protocol: 'http', timeout });
  }
  return new Docker({ host: endpoint.host, port: endpoint.port, socketPath: undefined, protocol: 'http', timeout });
}

/** An error from the engine API carries the HTTP status; connection failures carry an errno code. */
export interface DockerApiError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
}

export function isDockerApiError(error: unknown): error is DockerApiError {
  return error instanceof Error;
}

export function statusOf(error: unknown): number | undefined {
  return isDockerApiError(error) ? error.statusCode : undefined;
}

/** The engine's own message when there is one (dockerode prefixes it with the HTTP status). */
export function engineMessage(error: unknown): string {
  if (!isDockerApiError(error)) return String(error);
  const fromJson = error.json && typeof error.json === 'object' ? error.json.message : undefined;
  return (fromJson ?? error.message).trim();
}

/** True when the failure is "cannot talk to the engine" rather than an answer from it. */
export function isEngineUnreachable(error: unknown): boolean {
  if (!isDockerApiError(error)) return false;
  if (error.statusCode !== undefined) return false;
  const code = error.code ?? '';
  return ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EACCES'].includes(code)
    || /timeout|socket hang up/i.test(error.message);
}

export interface DockerClusterHealth {
  healthy: boolean;
  version?: string;
  message?: string;
}

/** Whether the cluster's engine answers, and its version (for the clusters view and alarms). */
export async function dockerClusterHealth(target: ClusterTarget): Promise<DockerClusterHealth> {
  let docker: Docker;
  try {
    docker = dockerClient(target, { timeoutMs: HEALTH_REQUEST_TIMEOUT_MS });
  } catch (error) {
    return { healthy: false, message: engineMessage(error) };
  }
  try {
    const version = await docker.version();
    return { healthy: true, version: `${version.Version} (API ${version.ApiVersion})` };
  } catch (error) {
    return { healthy: false, message: `Docker engine at ${target.endpoint} did not answer: ${engineMessage(error)}` };
  }
}

/**
 * Everything on the engine that carries `aos.stack=stackId`, as `container/<name>`,
 * `volume/<name>` and `network/<name>`: after a force delete, the leftovers to report.
 */
export async function listOwnedObjects(target: ClusterTarget, stackId: string): Promise<string[]> {
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
