// Helpers for tests against a real Docker engine. The test command sources scripts/docker.sh and
// exports AOS_DOCKER_HOST (empty when AOS_DOCKER=off or no engine could be had): tests that need
// the engine skip themselves, saying why.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { ClusterTarget, ElementContext, RequiredNode } from '../../src/drivers/types.js';

/** The engine endpoint the test command prepared, or '' when there is none. */
export function dockerHost(): string {
  return process.env.AOS_DOCKER_HOST?.trim() ?? '';
}

/** Why the Docker tests cannot run here, or null when they can. Printed once by the caller. */
export function dockerSkipReason(): string | null {
  return dockerHost()
    ? null
    : 'Docker tests skipped: AOS_DOCKER_HOST is empty (source scripts/docker.sh && aos_docker_ensure DATA_DIR to get an engine, or AOS_DOCKER=off was set)';
}

export function dockerCluster(endpoint: string, publishAddress = '127.0.0.1'): ClusterTarget {
  return { id: `cluster-${endpoint}`, name: 'test-docker', kind: 'DOCKER', endpoint, publishAddress };
}

/** A short id unique to this test run, safe in Docker names (lower case letters and digits). */
export function uniqueRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface RecordingContext extends ElementContext {
  heartbeats: number;
  logs: string[];
}

/** An element context whose heartbeats and log lines are recorded for assertions. */
export function elementContext(options: {
  tenantId?: string;
  stackId: string;
  stackName: string;
  namespace?: string;
  element: string;
  cluster: ClusterTarget | null;
  requirements?: Record<string, RequiredNode>;
  signal?: AbortSignal;
}): RecordingContext {
  const ctx: RecordingContext = {
    tenantId: options.tenantId ?? 'tenant-test',
    stackId: options.stackId,
    stackName: options.stackName,
    namespace: options.namespace ?? 'default',
    element: options.element,
    cluster: options.cluster,
    requirements: options.requirements ?? {},
    signal: options.signal ?? new AbortController().signal,
    heartbeats: 0,
    logs: [],
    heartbeat: () => {
      ctx.heartbeats++;
    },
    log: (message) => {
      ctx.logs.push(message);
    },
  };
  return ctx;
}

/** One HTTP GET (Node's http, no proxy, no keep-alive), bounded by `timeoutMs`. */
export function httpGet(host: string, port: number, path = '/', timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port}${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The body of the page a container serves on 127.0.0.1:`port`, once it answers 200 (bounded). */
export async function pageAt(port: number, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await httpGet('127.0.0.1', port, '/');
      if (res.status === 200) return res.body;
      if (Date.now() > deadline) throw new Error(`the page on 127.0.0.1:${port} answered ${res.status}: ${res.body.slice(0, 200)}`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
