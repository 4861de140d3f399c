// Docker engine clients built from a registered cluster, and how to read the engine's failures.
import Docker from 'dockerode';
import { GuardedAgent } from '../guarded-connections.js';
import { PermanentDriverError, type ClusterTarget } from '../types.js';
import { parseDockerEndpoint } from './endpoint.js';

/** Inactivity bound of one engine request; long streams (pulls) refresh it with every chunk. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
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
