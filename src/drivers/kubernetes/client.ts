// Kubernetes API clients built from a registered cluster, and how to read the API server's
// failures without repeating anything secret.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
  type ConfigurationOptions,
} from '@kubernetes/client-node';
import { PermanentDriverError, type ClusterTarget } from '../types.js';
import { boundedHttpLibrary } from './http.js';
import { parseKubeconfig } from './kubeconfig.js';
import type { KubernetesSettings } from './settings.js';

/** Server-side apply's owner of every field AOS sets. */
export const FIELD_MANAGER = 'aos';

export interface KubernetesClient {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** The API server's URL (shown in messages; the registration shows it too). */
  server: string;
}

/**
 * Clients for the cluster's API server. Cheap: nothing is sent until a call. The kubeconfig is
 * read by the strict reader (embedded credentials only) and applied by our own HTTP library.
 */
export function kubernetesClient(target: ClusterTarget, settings: KubernetesSettings, signal?: AbortSignal): KubernetesClient {
  if (target.kind !== 'KUBERNETES') throw new PermanentDriverError(`cluster ${target.name} is ${target.kind}, not KUBERNETES`, 'WRONG_CLUSTER_KIND');
  if (!target.kubeconfig) throw new PermanentDriverError(`cluster ${target.name} has no kubeconfig`, 'INVALID_KUBECONFIG');
  const { access, problems } = parseKubeconfig(target.kubeconfig);
  if (!access) {
    throw new PermanentDriverError(`the kubeconfig of cluster ${target.name} cannot be used: ${problems.map((p) => p.message).join('; ')}`, 'INVALID_KUBECONFIG');
  }
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(access.server, {}),
    httpApi: boundedHttpLibrary({
      access,
      policy: target.endpointPolicy ?? null,
      timeoutMs: settings.requestTimeoutMs,
      maxAnswerBytes: settings.maxAnswerBytes,
      signal,
    }),
  });
  return { core: new CoreV1Api(configuration), apps: new AppsV1Api(configuration), server: access.server };
}

/** Per-call options of a server-side apply (the generated client would send a JSON patch). */
export function applyOptions(): ConfigurationOptions {
  return setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
}

/** Per-call options of a JSON merge patch (scaling, annotations). */
export function mergePatchOptions(): ConfigurationOptions {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Runs `fn`; a 404 answer is null (the object is not there). */
export async function orNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Runs `fn`, treating the listed answers (e.g. 404 of a delete) as done. */
export async function tolerate(fn: () => Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? -1)) throw error;
  }
}

const MAX_MESSAGE = 400;

/**
 * The API server's reason and message for a failed call, or our own text for no answer. Values
 * in `secrets` are masked (an API server may quote a field back), and the client's own error text
 * (which carries the whole answer and its headers) is never used.
 */
export function apiMessage(error: unknown, secrets: readonly string[] = []): string {
  let text: string;
  if (error instanceof ApiException) {
    let status: { reason?: unknown; message?: unknown } = {};
    try {
      const parsed: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (parsed !== null && typeof parsed === 'object') status = parsed;
    } catch {
      status = {};
    }
    const reason = typeof status.reason === 'string' ? status.reason : '';
    const message = typeof status.message === 'string' ? status.message : '';
    text = `HTTP ${error.code}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`;
  } else {
    text = error instanceof Error ? error.message : String(error);
  }
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('***');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** A failed call as an Error the engine can show: 4xx refusals of what we sent are permanent. */
export function driverError(error: unknown, what: string, secrets: readonly string[] = []): Error {
  if (error instanceof PermanentDriverError || (error instanceof Error && error.name === 'AbortError')) return error;
  const status = statusOf(error);
  const message = `${what}: ${apiMessage(error, secrets)}`;
  // 400/422 (invalid), 403 (forbidden) and 409 (a conflict apply's force did not settle) will not
  // change by retrying; 401 may (a rotated token), as may 404/429/5xx.
  if (status === 400 || status === 403 || status === 409 || status === 422) return new PermanentDriverError(message, `HTTP_${status}`);
  return new Error(message);
}
