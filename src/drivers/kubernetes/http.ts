// The HTTP under @kubernetes/client-node: our own, not its node-fetch default. Every request to a
// cluster's API server ends within the request timeout whatever the peer does, reads at most
// `maxAnswerBytes`, goes through the endpoint policy at connect time for a tenant's cluster (DNS
// rebinding included), and is cancelled with the activity. Credentials are the strict
// kubeconfig's embedded ones, applied here: client-node's KubeConfig is never built, so none of
// its authenticators (exec plugins, token files, auth providers) can run.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { ResponseContext, SelfDecodingBody, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';
import { EndpointRefused, assertConnectable, guardedLookup, type EndpointPolicy } from '../endpoint-policy.js';
import { connectionFailureOf } from '../guarded-connections.js';
import { PermanentDriverError } from '../types.js';
import { cancelled } from '../workload/cancellation.js';
import type { KubeAccess } from './kubeconfig.js';

/** Headers larger than this are not an API server's. */
const MAX_HEADER_BYTES = 16 * 1024;

export interface BoundedHttpOptions {
  access: KubeAccess;
  /** null: a cluster the platform registered (trusted). */
  policy: EndpointPolicy | null;
  timeoutMs: number;
  maxAnswerBytes: number;
  /** The activity's: aborting it cancels the request in flight. */
  signal?: AbortSignal;
}

/**
 * A request that gave no answer to read. Its message is ours, never the peer's, and names no
 * credential: the server URL is what the registration shows the tenant anyway.
 */
class KubernetesUnreachable extends Error {
  constructor(
    server: string,
    readonly failure: string,
  ) {
    super(`Kubernetes API server ${server}: ${failure}`);
    this.name = 'KubernetesUnreachable';
  }
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function send(options: BoundedHttpOptions, request: RequestContext): Promise<ResponseContext> {
  const { access } = options;
  const server = new URL(access.server);
  const url = new URL(request.getUrl());
  // Paths come from client-node; the host never does.
  if (url.origin !== server.origin) return Promise.reject(new Error(`refusing a request to ${url.origin}: not the cluster's API server`));
  const body = request.getBody();
  if (body !== undefined && typeof body !== 'string') return Promise.reject(new Error('only text bodies are sent to an API server'));
  const headers: Record<string, string> = { ...request.getHeaders(), connection: 'close' };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  if (access.token) headers.authorization = `Bearer ${access.token}`;

  return new Promise((resolve, reject) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (error: Error | null, response?: ResponseContext): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        req?.destroy();
        reject(error);
      } else if (response) {
        resolve(response);
      }
    };
    const unreachable = (failure: string): KubernetesUnreachable => new KubernetesUnreachable(access.server, failure);
    // A refusal by the policy will not change by retrying: the engine should not hammer it.
    const failed = (error: unknown): Error =>
      error instanceof EndpointRefused
        ? new PermanentDriverError(`Kubernetes API server ${access.server}: ${error.message}`, 'ENDPOINT_REFUSED')
        : unreachable(connectionFailureOf(error));
    const deadline = setTimeout(() => finish(unreachable(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const onAbort = (): void => finish(cancelled());
    if (options.signal?.aborted) return finish(cancelled());
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxAnswerBytes) {
          finish(unreachable(`answer larger than ${options.maxAnswerBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        finish(null, new ResponseContext(res.statusCode ?? 0, flatHeaders(res.headers), new SelfDecodingBody(Promise.resolve(data))));
      });
      res.on('error', (error) => finish(unreachable(connectionFailureOf(error))));
    };

    const start = async (): Promise<void> => {
      const secure = server.protocol === 'https:';
      const port = Number(server.port || (secure ? 443 : 80));
      const host = server.hostname.replace(/^\[(.*)\]$/, '$1');
      await assertConnectable(options.policy, host, port);
      if (settled) return;
      const common = {
        method: request.getHttpMethod().toString(),
        host,
        port,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false as const,
        maxHeaderSize: MAX_HEADER_BYTES,
        ...(options.policy ? { lookup: guardedLookup(options.policy, port) } : {}),
      };
      const decode = (data?: string): Buffer | undefined => (data ? Buffer.from(data, 'base64') : undefined);
      req = secure
        ? https.request({ ...common, ca: decode(access.caData), cert: decode(access.certData), key: decode(access.keyData), rejectUnauthorized: !access.insecure }, onResponse)
        : http.request(common, onResponse);
      req.on('error', (error) => finish(failed(error)));
      req.end(body);
    };
    start().catch((error: unknown) => finish(failed(error)));
  });
}

/** client-node's HttpLibrary over bounded, policy-checked requests. */
export function boundedHttpLibrary(options: BoundedHttpOptions): HttpLibrary {
  return wrapHttpLibrary({ send: (request) => send(options, request) });
}
