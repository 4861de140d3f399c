import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { load } from 'js-yaml';
import pg from 'pg';
import { ClusterSchema, StackSchema, type Cluster } from '../db/entities/index.js';
import { DomainError, NameTaken, NotFound, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import { dockerClusterHealth } from '../drivers/docker/index.js';
import type { ClusterTarget } from '../drivers/types.js';
import { clusterTargetOf } from './cluster-target.js';
import { isUuid } from './pagination.js';
import type { SecretBox } from './secret-box.js';
import { checkName } from './tenants.js';
import { assertCanChange, type Viewer } from './viewer.js';

export type ClusterKind = Cluster['kind'];

/** A cluster cannot go while stacks are deployed on it: their resources would be orphaned. */
export class ClusterInUse extends DomainError {
  readonly code = 'CLUSTER_IN_USE';
  readonly status = 409;
  constructor(
    message: string,
    /** Names of (some of) the stacks on the cluster. */
    readonly stacks: string[],
  ) {
    super(message);
  }
}

export interface RegisterClusterInput {
  name: string;
  kind: ClusterKind;
  endpoint?: string | null;
  publishAddress?: string | null;
  kubeconfig?: string | null;
  connectionUrl?: string | null;
}

/** What is sealed in `credentialsEnc`: the worker opens the same record (clusterTargetOf). */
interface ClusterCredentials {
  kubeconfig?: string;
  connectionUrl?: string;
}

export const DEFAULT_PUBLISH_ADDRESS = '127.0.0.1';
/** A health check answers within this, whatever the target does. */
export const HEALTH_TIMEOUT_MS = 3000;
/** Inner timeouts of one connection attempt: below the outer bound, so the target's own error wins. */
const ATTEMPT_TIMEOUT_MS = HEALTH_TIMEOUT_MS - 500;
const MAX_KUBECONFIG_BYTES = 256 * 1024;
const MAX_CONNECTION_URL = 2048;

const DOCKER_UNIX = /^unix:\/\/\/[^\s\0]+$/;
const DOCKER_TCP = /^tcp:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

function fieldProblem(path: string, message: string, hint?: string): TemplateProblemLike {
  return { code: 'INVALID_VALUE', path, message, ...(hint ? { hint } : {}) };
}

function checkDockerEndpoint(endpoint: string | null | undefined): TemplateProblemLike[] {
  if (!endpoint) return [{ code: 'MISSING_VALUE', path: 'endpoint', message: 'a DOCKER cluster needs an endpoint', hint: 'unix:///var/run/docker.sock or tcp://host:2375' }];
  if (DOCKER_UNIX.test(endpoint)) return [];
  const tcp = DOCKER_TCP.exec(endpoint);
  if (tcp) {
    const port = Number(tcp[2]);
    return port >= 1 && port <= 65535 ? [] : [fieldProblem('endpoint', `port ${port} is outside 1..65535`)];
  }
  return [fieldProblem('endpoint', `Docker endpoint "${endpoint}" is not supported`, 'use unix:///path/to/docker.sock or tcp://host:port')];
}

function checkConnectionUrl(connectionUrl: string | null | undefined): TemplateProblemLike[] {
  if (!connectionUrl) return [{ code: 'MISSING_VALUE', path: 'connectionUrl', message: 'a POSTGRESQL cluster needs a connectionUrl', hint: 'postgresql://user:password@host:5432/postgres' }];
  if (connectionUrl.length > MAX_CONNECTION_URL) return [fieldProblem('connectionUrl', `the connection URL is longer than ${MAX_CONNECTION_URL} characters`)];
  let url: URL;
  try {
    url = new URL(connectionUrl);
  } catch {
    // Never echo the value: it holds a password.
    return [fieldProblem('connectionUrl', 'the connection URL is not a URL', 'postgresql://user:password@host:5432/postgres')];
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return [fieldProblem('connectionUrl', `the connection URL must start with postgresql://, not ${url.protocol}//`)];
  if (!url.hostname) return [fieldProblem('connectionUrl', 'the connection URL names no host')];
  return [];
}

/** The server address of a connection URL, without user or password: safe to show. */
function publicPostgresEndpoint(connectionUrl: string): string {
  const url = new URL(connectionUrl);
  return `postgresql://${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

// --- kubeconfig ---------------------------------------------------------------------------------

interface KubeAccess {
  server: string;
  caData?: string;
  insecure: boolean;
  token?: string;
  certData?: string;
  keyData?: string;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function named(list: unknown, name: unknown, inner: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.map(record).find((item) => item.name === name);
  return entry ? record(entry[inner]) : undefined;
}

/**
 * The current context's server and credentials. Kubeconfigs that run commands (`exec`,
 * `auth-provider`) or read files on our hosts are refused: a tenant's config must not make the
 * service execute or read anything locally.
 */
function parseKubeconfig(text: string): { access: KubeAccess | null; problems: TemplateProblemLike[] } {
  const fail = (message: string, hint?: string) => ({ access: null, problems: [fieldProblem('kubeconfig', message, hint)] });
  if (Buffer.byteLength(text, 'utf8') > MAX_KUBECONFIG_BYTES) return fail(`the kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`);
  let doc: Record<string, unknown>;
  try {
    doc = record(load(text));
  } catch {
    return fail('the kubeconfig is not valid YAML');
  }
  const contexts = Array.isArray(doc.contexts) ? doc.contexts.map(record) : [];
  const contextName = typeof doc['current-context'] === 'string' && doc['current-context'] ? doc['current-context'] : contexts[0]?.name;
  const context = named(doc.contexts, contextName, 'context');
  if (!context) return fail('the kubeconfig has no usable context', 'set current-context to one of its contexts');
  const cluster = named(doc.clusters, context.cluster, 'cluster');
  if (!cluster || typeof cluster.server !== 'string') return fail(`the kubeconfig has no cluster "${String(context.cluster)}" with a server`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return fail(`the cluster server "${cluster.server}" is not a URL`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') return fail(`the cluster server must be an https:// URL, not ${server.protocol}//`);
  const user = context.user === undefined ? {} : (named(doc.users, context.user, 'user') ?? {});
  for (const [section, fields] of [
    [cluster, ['certificate-authority']],
    [user, ['client-certificate', 'client-key', 'tokenFile', 'exec', 'auth-provider']],
  ] as const) {
    const found = fields.find((field) => section[field] !== undefined && section[field] !== null);
    if (found) return fail(`the kubeconfig uses "${found}", which reads files or runs commands on the service's hosts`, 'embed the credentials: certificate-authority-data, client-certificate-data, client-key-data or token');
  }
  const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
  return {
    access: {
      server: server.toString().replace(/\/$/, ''),
      caData: nonEmpty(cluster['certificate-authority-data']),
      insecure: cluster['insecure-skip-tls-verify'] === true,
      token: nonEmpty(user.token),
      certData: nonEmpty(user['client-certificate-data']),
      keyData: nonEmpty(user['client-key-data']),
    },
    problems: [],
  };
}

// --- use cases ----------------------------------------------------------------------------------

export async function registerCluster(em: EntityManager, viewer: Viewer, secrets: SecretBox, input: RegisterClusterInput): Promise<Cluster> {
  assertCanChange(viewer);
  checkName('cluster', input.name);
  const problems: TemplateProblemLike[] = [];
  const notFor = (field: keyof RegisterClusterInput, kinds: string) => {
    if (input[field] !== undefined && input[field] !== null) problems.push(fieldProblem(field, `${field} applies only to ${kinds} clusters`));
  };
  let endpoint: string | null = null;
  let publishAddress = DEFAULT_PUBLISH_ADDRESS;
  let credentials: ClusterCredentials | null = null;
  switch (input.kind) {
    case 'DOCKER':
      notFor('kubeconfig', 'KUBERNETES');
      notFor('connectionUrl', 'POSTGRESQL');
      problems.push(...checkDockerEndpoint(input.endpoint));
      endpoint = input.endpoint ?? null;
      if (input.publishAddress !== undefined && input.publishAddress !== null) {
        if (isIP(input.publishAddress) === 0) problems.push(fieldProblem('publishAddress', `publishAddress "${input.publishAddress}" is not an IP address`, 'e.g. 127.0.0.1 or 0.0.0.0'));
        else publishAddress = input.publishAddress;
      }
      break;
    case 'KUBERNETES': {
      notFor('endpoint', 'DOCKER');
      notFor('publishAddress', 'DOCKER');
      notFor('connectionUrl', 'POSTGRESQL');
      if (!input.kubeconfig) {
        problems.push({ code: 'MISSING_VALUE', path: 'kubeconfig', message: 'a KUBERNETES cluster needs a kubeconfig' });
        break;
      }
      const parsed = parseKubeconfig(input.kubeconfig);
      problems.push(...parsed.problems);
      endpoint = parsed.access?.server ?? null;
      credentials = { kubeconfig: input.kubeconfig };
      break;
    }
    case 'POSTGRESQL': {
      notFor('endpoint', 'DOCKER');
      notFor('publishAddress', 'DOCKER');
      notFor('kubeconfig', 'KUBERNETES');
      const urlProblems = checkConnectionUrl(input.connectionUrl);
      problems.push(...urlProblems);
      if (urlProblems.length === 0 && input.connectionUrl) {
        endpoint = publicPostgresEndpoint(input.connectionUrl);
        credentials = { connectionUrl: input.connectionUrl };
      }
      break;
    }
  }
  if (problems.length > 0) {
    throw new ValidationFailed(`the cluster has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  }
  const cluster = em.create(ClusterSchema, {
    id: randomUUID(),
    tenant: viewer.tenantId,
    name: input.name,
    kind: input.kind,
    endpoint,
    publishAddress,
    credentialsEnc: credentials ? secrets.seal(credentials) : null,
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new NameTaken(`a cluster named "${input.name}" exists already`);
    throw error;
  }
  return cluster;
}

export async function listClusters(em: EntityManager, viewer: Viewer): Promise<Cluster[]> {
  return em.find(ClusterSchema, { tenant: viewer.tenantId }, { orderBy: { name: 'asc' } });
}

/** Another tenant's cluster does not exist for this viewer. */
export async function lookupCluster(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Cluster | null> {
  if (ref.id) return isUuid(ref.id) ? em.findOne(ClusterSchema, { id: ref.id, tenant: viewer.tenantId }) : null;
  if (ref.name) return em.findOne(ClusterSchema, { name: ref.name, tenant: viewer.tenantId });
  return null;
}

export async function findCluster(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Cluster> {
  const found = await lookupCluster(em, viewer, ref);
  if (!found) throw new NotFound('cluster', ref.id ?? ref.name ?? '');
  return found;
}

export async function deleteCluster(em: EntityManager, viewer: Viewer, clusterId: string): Promise<{ id: string; name: string }> {
  assertCanChange(viewer);
  const cluster = await findCluster(em, viewer, { id: clusterId });
  const users = await em.find(StackSchema, { cluster }, { fields: ['name'], orderBy: { name: 'asc' }, limit: 10 });
  if (users.length > 0) {
    const names = users.map((stack) => stack.name);
    throw new ClusterInUse(`cluster "${cluster.name}" is used by stack${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}`, names);
  }
  const gone = { id: cluster.id, name: cluster.name };
  // The foreign key (restrict) still guards against a stack created meanwhile.
  await em.nativeDelete(ClusterSchema, { id: cluster.id });
  return gone;
}

// --- health -------------------------------------------------------------------------------------

export interface ClusterHealth {
  healthy: boolean;
  version: string | null;
  message: string | null;
}

function within<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function postgresHealth(connectionUrl: string): Promise<ClusterHealth> {
  const client = new pg.Client({ connectionString: connectionUrl, connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS, query_timeout: ATTEMPT_TIMEOUT_MS });
  // An error event after the check (e.g. the server going away) must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    const { rows } = await client.query<{ version: string }>("select current_setting('server_version') as version");
    return { healthy: true, version: `PostgreSQL ${rows[0].version}`, message: null };
  } catch (error) {
    return { healthy: false, version: null, message: `PostgreSQL server did not answer: ${reason(error)}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** GET /version of the API server: one request, readable anonymously on most clusters. */
function kubernetesHealth(kubeconfig: string): Promise<ClusterHealth> {
  const { access, problems } = parseKubeconfig(kubeconfig);
  if (!access) return Promise.resolve({ healthy: false, version: null, message: problems[0]?.message ?? 'the kubeconfig cannot be used' });
  const url = new URL(`${access.server}/version`);
  const decode = (data?: string) => (data ? Buffer.from(data, 'base64') : undefined);
  return new Promise((resolve) => {
    const options: https.RequestOptions = {
      method: 'GET',
      timeout: ATTEMPT_TIMEOUT_MS,
      headers: { accept: 'application/json', ...(access.token ? { authorization: `Bearer ${access.token}` } : {}) },
      ca: decode(access.caData),
      cert: decode(access.certData),
      key: decode(access.keyData),
      rejectUnauthorized: !access.insecure,
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      response.on('end', () => {
        if (response.statusCode !== 200) {
          resolve({ healthy: false, version: null, message: `Kubernetes API server answered HTTP ${response.statusCode ?? '?'}` });
          return;
        }
        let version: string | null = null;
        try {
          const parsed = record(JSON.parse(body));
          version = typeof parsed.gitVersion === 'string' ? `Kubernetes ${parsed.gitVersion}` : null;
        } catch {
          // A 200 without JSON is still an answer.
        }
        resolve({ healthy: true, version, message: null });
      });
      response.on('error', (error) => resolve({ healthy: false, version: null, message: `Kubernetes API server: ${reason(error)}` }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    request.on('error', (error) => resolve({ healthy: false, version: null, message: `Kubernetes API server did not answer: ${reason(error)}` }));
    request.end();
  });
}

/** Live reachability of the cluster, bounded by HEALTH_TIMEOUT_MS. Never throws. */
export async function clusterHealth(cluster: Cluster, secrets: SecretBox): Promise<ClusterHealth> {
  const timedOut = (): ClusterHealth => ({ healthy: false, version: null, message: `no answer within ${HEALTH_TIMEOUT_MS} ms` });
  try {
    const target = clusterTargetOf(cluster, secrets) as ClusterTarget;
    switch (cluster.kind) {
      case 'DOCKER': {
        const check = dockerClusterHealth(target).then((health) => ({ healthy: health.healthy, version: health.version ? `Docker ${health.version}` : null, message: health.message ?? null }));
        return await within(check, HEALTH_TIMEOUT_MS, timedOut);
      }
      case 'POSTGRESQL':
        if (!target.connectionUrl) return { healthy: false, version: null, message: 'no connection URL stored' };
        return await within(postgresHealth(target.connectionUrl), HEALTH_TIMEOUT_MS, timedOut);
      case 'KUBERNETES':
        if (!target.kubeconfig) return { healthy: false, version: null, message: 'no kubeconfig stored' };
        return await within(kubernetesHealth(target.kubeconfig), HEALTH_TIMEOUT_MS, timedOut);
    }
  } catch (error) {
    return { healthy: false, version: null, message: `health check failed: ${reason(error)}` };
  }
}
