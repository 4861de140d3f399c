// Docker engine clients built from a registered cluster, plus the two cluster-level queries the
// lifecycle engine needs (engine health, objects a stack still owns).
import Docker from 'dockerode';
import { boundedGet, GuardedAgent } from '../guarded-connections.js';
import { LABEL_STACK, PermanentDriverError, type ClusterTarget } from '../types.js';

/** Inactivity bound of one engine request; long streams (pulls) refresh it with every chunk. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** A health check answers within this, whatever the endpoint does. */
export const DOCKER_HEALTH_TIMEOUT_MS = 3_000;
/** /version of an engine is about 1 KiB: anything past this is not one. */
const HEALTH_MAX_BODY_BYTES = 4 * 1024;
/**
 * The most one engine answer may carry. dockerode buffers whole bodies before parsing them, so
 * without this a peer streaming forever would take the worker's memory; real answers (container
 * lists, inspects, a pull's progress) stay far below it.
 */
export const MAX_ENGINE_ANSWER_BYTES = 64 * 1024 * 1024;

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

/**
 * A dockerode client for the cluster's engine. Cheap: no connection is made until a request.
 * Every connection goes through a GuardedAgent: a tenant's endpoint is checked against the
 * endpoint policy as it connects, and no answer may exceed MAX_ENGINE_ANSWER_BYTES.
 */
export function dockerClient(target: ClusterTarget, options: DockerClientOptions = {}): Docker {
  const endpoint = parseDockerEndpoint(requireEndpoint(target));
  const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const agent = new GuardedAgent(target.endpointPolicy ?? null, MAX_ENGINE_ANSWER_BYTES);
  // docker-modem merges DOCKER_HOST from the environment under these options: every field that
  // could point elsewhere is set explicitly so the cluster's endpoint alone decides.
  // docker-modem passes `agent` on to every request; the typings do not list it.
  const modemOptions: Docker.DockerOptions & { agent: GuardedAgent } =
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath, host: undefined, port: undefined, protocol: 'http', timeout, agent }
      : { host: endpoint.host, port: endpoint.port, socketPath: undefined, protocol: 'http', timeout, agent };
  return new Docker(modemOptions);
}

/** An error from the engine API carries the HTTP status; connection failures carry an errno code. */
interface DockerApiError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
}

function isDockerApiError(error: unknown): error is DockerApiError {
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
  /** A generic reason ("unreachable", "timed out", "not a Docker engine", …): never the peer's text. */
  message?: string;
}

/** Engine and API versions look like this; anything else is not shown (it would be the peer's text). */
const VERSION_TEXT = /^[0-9A-Za-z.+~-]{1,40}$/;

/**
 * Whether the cluster's engine answers GET /version like an engine, and its version. Not through
 * dockerode (which buffers whole bodies): one bounded request that ends within `timeoutMs`, reads
 * at most 4 KiB, and goes through the endpoint policy for a tenant's registration.
 */
export async function dockerClusterHealth(target: ClusterTarget, options: { timeoutMs?: number } = {}): Promise<DockerClusterHealth> {
  let endpoint: DockerEndpoint;
  try {
    endpoint = parseDockerEndpoint(requireEndpoint(target));
  } catch {
    return { healthy: false, message: 'the endpoint is not a Docker endpoint' };
  }
  const answer = await boundedGet({
    target: endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath, path: '/version' } : { url: new URL(`http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/version`) },
    headers: { accept: 'application/json' },
    timeoutMs: options.timeoutMs ?? DOCKER_HEALTH_TIMEOUT_MS,
    maxBodyBytes: HEALTH_MAX_BODY_BYTES,
    policy: target.endpointPolicy ?? null,
  });
  if (!answer.ok) return { healthy: false, message: answer.failure === 'not an HTTP answer' ? 'not a Docker engine' : answer.failure };
  if (answer.status === 401 || answer.status === 403) return { healthy: false, message: 'authentication failed' };
  let version: unknown;
  try {
    version = answer.status === 200 && answer.complete ? JSON.parse(answer.body.toString('utf8')) : null;
  } catch {
    version = null;
  }
  const { Version, ApiVersion } = (version !== null && typeof version === 'object' ? version : {}) as { Version?: unknown; ApiVersion?: unknown };
  if (typeof Version !== 'string' || typeof ApiVersion !== 'string' || !VERSION_TEXT.test(Version) || !VERSION_TEXT.test(ApiVersion)) {
    return { healthy: false, message: 'not a Docker engine' };
  }
  return { healthy: true, version: `${Version} (API ${ApiVersion})` };
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
