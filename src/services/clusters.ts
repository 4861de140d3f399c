import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { load } from 'js-yaml';
import { ClusterSchema, StackSchema, TenantSchema, type Cluster } from '../db/entities/index.js';
import { DomainError, NameTaken, NotFound, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import { DOCKER_HEALTH_TIMEOUT_MS, dockerClusterHealth } from '../drivers/docker/index.js';
import { checkHostEndpoint, checkPublishAddress, checkUnixSocket, normalizeAddress, type EndpointPolicy, type EndpointVerdict } from '../drivers/endpoint-policy.js';
import { boundedGet } from '../drivers/guarded-connections.js';
import { parsePostgresUrl, postgresHealth, publicPostgresEndpoint } from '../drivers/postgresql/connection.js';
import { clusterTargetOf } from '../clusters/cluster-target.js';
import { isUuid } from './pagination.js';
import type { SecretBox } from '../security/secret-box.js';
import { checkName } from './tenants.js';
import { assertTenantAdmin, type Viewer } from './viewer.js';

type ClusterKind = Cluster['kind'];

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
  /** The platform administrator's registration for another tenant (trusted). */
  tenantId?: string | null;
}

/** What registration and health need beyond the database: the secret box and the endpoint policy. */
export interface ClusterServices {
  secrets: SecretBox;
  /** AOS_CLUSTER_ENDPOINT_POLICY: what tenants' registrations may point at. */
  endpointPolicy: EndpointPolicy;
}

/** What is sealed in `credentialsEnc`: the worker opens the same record (clusterTargetOf). */
interface ClusterCredentials {
  kubeconfig?: string;
  connectionUrl?: string;
}

const DEFAULT_PUBLISH_ADDRESS = '127.0.0.1';
/** A health check answers within this, whatever the target does. */
const HEALTH_TIMEOUT_MS = DOCKER_HEALTH_TIMEOUT_MS;
/** A Kubernetes /version answer is a few hundred bytes. */
const HEALTH_MAX_BODY_BYTES = 4 * 1024;
const MAX_KUBECONFIG_BYTES = 256 * 1024;
const MAX_ENDPOINT = 1024;

const DOCKER_UNIX = /^unix:\/\/\/[^\s\0]+$/;
const DOCKER_TCP = /^tcp:\/\/([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

function fieldProblem(path: string, message: string, hint?: string): TemplateProblemLike {
  return { code: 'INVALID_VALUE', path, message, ...(hint ? { hint } : {}) };
}

/** A refusal of the endpoint policy, on the field that named the endpoint. */
function policyProblem(path: string, verdict: EndpointVerdict): TemplateProblemLike[] {
  return verdict.ok
    ? []
    : [{ code: 'ENDPOINT_NOT_ALLOWED', path, message: verdict.reason, hint: 'ask the platform administrator to register this endpoint for the tenant, or to allow it in AOS_CLUSTER_ENDPOINT_POLICY' }];
}

type DockerAddress = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

function checkDockerEndpoint(endpoint: string | null | undefined): { address: DockerAddress | null; problems: TemplateProblemLike[] } {
  const fail = (problem: TemplateProblemLike) => ({ address: null, problems: [problem] });
  if (!endpoint) return fail({ code: 'MISSING_VALUE', path: 'endpoint', message: 'a DOCKER cluster needs an endpoint', hint: 'tcp://host:2375' });
  if (endpoint.length > MAX_ENDPOINT) return fail(fieldProblem('endpoint', `the endpoint is longer than ${MAX_ENDPOINT} characters`));
  if (DOCKER_UNIX.test(endpoint)) return { address: { kind: 'unix', socketPath: endpoint.slice('unix://'.length) }, problems: [] };
  const tcp = DOCKER_TCP.exec(endpoint);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) return fail(fieldProblem('endpoint', `port ${port} is outside 1..65535`));
    return { address: { kind: 'tcp', host: tcp[1].replace(/^\[(.*)\]$/, '$1'), port }, problems: [] };
  }
  return fail(fieldProblem('endpoint', `Docker endpoint "${endpoint}" is not supported`, 'use unix:///path/to/docker.sock or tcp://host:port'));
}

/** host and port of an http(s) URL, IPv6 without brackets. */
function hostPortOfUrl(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
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

/**
 * Who registers for which tenant. A tenant's ADMIN registers for its own tenant (naming it in
 * `tenantId` or not); another tenant's id is NotFound. The platform administrator registers for
 * any tenant, and that registration is trusted: outside the tenant endpoint policy.
 */
async function registrationTenant(em: EntityManager, viewer: Viewer, tenantId: string | null | undefined): Promise<{ tenantId: string; trusted: boolean }> {
  const target = tenantId ?? viewer.tenantId;
  if (!isUuid(target)) throw new NotFound('tenant', target);
  assertTenantAdmin(viewer, target);
  if (target !== viewer.tenantId && !(await em.findOne(TenantSchema, { id: target }, { fields: ['id'] }))) throw new NotFound('tenant', target);
  return { tenantId: target, trusted: viewer.platformAdmin };
}

interface CheckedRegistration {
  endpoint: string | null;
  publishAddress: string;
  credentials: ClusterCredentials | null;
  problems: TemplateProblemLike[];
}

async function checkDocker(input: RegisterClusterInput, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const { address, problems } = checkDockerEndpoint(input.endpoint);
  let publishAddress = DEFAULT_PUBLISH_ADDRESS;
  let engineAddress: string | null = null;
  if (address && policy) {
    const verdict = address.kind === 'unix' ? checkUnixSocket(policy, address.socketPath) : await checkHostEndpoint(policy, address.host, address.port);
    problems.push(...policyProblem('endpoint', verdict));
    if (verdict.ok) engineAddress = verdict.addresses[0] ?? null;
  }
  if (input.publishAddress !== undefined && input.publishAddress !== null) {
    const normalized = normalizeAddress(input.publishAddress);
    if (!normalized) problems.push(fieldProblem('publishAddress', `publishAddress "${input.publishAddress}" is not an IP address`, 'e.g. the engine host\'s address'));
    else if (policy) problems.push(...policyProblem('publishAddress', await checkPublishAddress(policy, normalized)));
    publishAddress = normalized ?? publishAddress;
  } else if (policy && engineAddress) {
    // A tenant's engine is another machine: its ports are published, and probed, on its address.
    publishAddress = engineAddress;
  }
  return { endpoint: input.endpoint ?? null, publishAddress, credentials: null, problems };
}

async function checkKubernetes(input: RegisterClusterInput, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const result: CheckedRegistration = { endpoint: null, publishAddress: DEFAULT_PUBLISH_ADDRESS, credentials: null, problems: [] };
  if (!input.kubeconfig) {
    result.problems.push({ code: 'MISSING_VALUE', path: 'kubeconfig', message: 'a KUBERNETES cluster needs a kubeconfig' });
    return result;
  }
  const parsed = parseKubeconfig(input.kubeconfig);
  result.problems.push(...parsed.problems);
  if (parsed.access && policy) {
    const { host, port } = hostPortOfUrl(new URL(parsed.access.server));
    result.problems.push(...policyProblem('kubeconfig', await checkHostEndpoint(policy, host, port)));
  }
  result.endpoint = parsed.access?.server ?? null;
  result.credentials = { kubeconfig: input.kubeconfig };
  return result;
}

async function checkPostgres(input: RegisterClusterInput, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const result: CheckedRegistration = { endpoint: null, publishAddress: DEFAULT_PUBLISH_ADDRESS, credentials: null, problems: [] };
  if (!input.connectionUrl) {
    result.problems.push({ code: 'MISSING_VALUE', path: 'connectionUrl', message: 'a POSTGRESQL cluster needs a connectionUrl', hint: 'postgresql://user:password@host:5432/postgres' });
    return result;
  }
  const { connection, problems } = parsePostgresUrl(input.connectionUrl);
  result.problems.push(...problems.map((p) => fieldProblem('connectionUrl', p.message, p.hint)));
  if (connection) {
    if (policy) result.problems.push(...policyProblem('connectionUrl', await checkHostEndpoint(policy, connection.host, connection.port)));
    result.endpoint = publicPostgresEndpoint(connection);
    result.credentials = { connectionUrl: input.connectionUrl };
  }
  return result;
}

/**
 * Clusters one tenant may have. Listing clusters with their health opens a connection to each, so
 * their number bounds what one query can make the API reach out to.
 */
export const MAX_CLUSTERS_PER_TENANT = 100;

export async function registerCluster(em: EntityManager, viewer: Viewer, services: ClusterServices, input: RegisterClusterInput): Promise<Cluster> {
  const { tenantId, trusted } = await registrationTenant(em, viewer, input.tenantId);
  checkName('cluster', input.name);
  const registered = await em.count(ClusterSchema, { tenant: tenantId });
  if (registered >= MAX_CLUSTERS_PER_TENANT) {
    throw ValidationFailed.single('TOO_MANY_CLUSTERS', 'name', `the tenant has ${registered} clusters, the most allowed`, 'delete the clusters no longer used first');
  }
  const policy = trusted ? null : services.endpointPolicy;
  const problems: TemplateProblemLike[] = [];
  const notFor = (field: keyof RegisterClusterInput, kinds: string) => {
    if (input[field] !== undefined && input[field] !== null) problems.push(fieldProblem(field, `${field} applies only to ${kinds} clusters`));
  };
  let checked: CheckedRegistration;
  switch (input.kind) {
    case 'DOCKER':
      notFor('kubeconfig', 'KUBERNETES');
      notFor('connectionUrl', 'POSTGRESQL');
      checked = await checkDocker(input, policy);
      break;
    case 'KUBERNETES':
      notFor('endpoint', 'DOCKER');
      notFor('publishAddress', 'DOCKER');
      notFor('connectionUrl', 'POSTGRESQL');
      checked = await checkKubernetes(input, policy);
      break;
    case 'POSTGRESQL':
      notFor('endpoint', 'DOCKER');
      notFor('publishAddress', 'DOCKER');
      notFor('kubeconfig', 'KUBERNETES');
      checked = await checkPostgres(input, policy);
      break;
  }
  problems.push(...checked.problems);
  if (problems.length > 0) {
    throw new ValidationFailed(`the cluster has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  }
  const cluster = em.create(ClusterSchema, {
    id: randomUUID(),
    tenant: tenantId,
    name: input.name,
    kind: input.kind,
    endpoint: checked.endpoint,
    publishAddress: checked.publishAddress,
    credentialsEnc: checked.credentials ? services.secrets.seal(checked.credentials) : null,
    trusted,
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

/** The tenant's ADMIN deletes its clusters; the platform administrator any tenant's (by id). */
export async function deleteCluster(em: EntityManager, viewer: Viewer, clusterId: string): Promise<{ id: string; name: string; tenantId: string }> {
  const cluster = viewer.platformAdmin && isUuid(clusterId) ? await em.findOne(ClusterSchema, { id: clusterId }) : await lookupCluster(em, viewer, { id: clusterId });
  if (!cluster) throw new NotFound('cluster', clusterId);
  assertTenantAdmin(viewer, cluster.tenant.id, 'cluster');
  const users = await em.find(StackSchema, { cluster }, { fields: ['name'], orderBy: { name: 'asc' }, limit: 10 });
  if (users.length > 0) {
    const names = users.map((stack) => stack.name);
    throw new ClusterInUse(`cluster "${cluster.name}" is used by stack${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}`, names);
  }
  const gone = { id: cluster.id, name: cluster.name, tenantId: cluster.tenant.id };
  // The foreign key (restrict) still guards against a stack created meanwhile.
  await em.nativeDelete(ClusterSchema, { id: cluster.id });
  return gone;
}

// --- health -------------------------------------------------------------------------------------

export interface ClusterHealth {
  healthy: boolean;
  version: string | null;
  /** Generic reasons only ("unreachable", "timed out …", "authentication failed", …): never the peer's text. */
  message: string | null;
}

const timedOut = `timed out (no answer within ${HEALTH_TIMEOUT_MS} ms)`;

/** GET /version of the API server: one bounded request, readable anonymously on most clusters. */
async function kubernetesHealth(kubeconfig: string, policy: EndpointPolicy | null): Promise<ClusterHealth> {
  const { access } = parseKubeconfig(kubeconfig);
  if (!access) return { healthy: false, version: null, message: 'the stored kubeconfig cannot be used' };
  const decode = (data?: string) => (data ? Buffer.from(data, 'base64') : undefined);
  const answer = await boundedGet({
    target: { url: new URL(`${access.server}/version`) },
    headers: { accept: 'application/json', ...(access.token ? { authorization: `Bearer ${access.token}` } : {}) },
    tls: { ca: decode(access.caData), cert: decode(access.certData), key: decode(access.keyData), rejectUnauthorized: !access.insecure },
    timeoutMs: HEALTH_TIMEOUT_MS,
    maxBodyBytes: HEALTH_MAX_BODY_BYTES,
    policy,
  });
  if (!answer.ok) {
    const message = answer.failure === 'timed out' ? timedOut : answer.failure === 'not an HTTP answer' ? 'not a Kubernetes API server' : answer.failure;
    return { healthy: false, version: null, message };
  }
  if (answer.status === 401 || answer.status === 403) return { healthy: false, version: null, message: 'authentication failed' };
  let parsed: Record<string, unknown> = {};
  try {
    parsed = answer.status === 200 && answer.complete ? record(JSON.parse(answer.body.toString('utf8'))) : {};
  } catch {
    parsed = {};
  }
  // The version is the server's own text: shown only when it looks like one.
  const gitVersion = typeof parsed.gitVersion === 'string' && /^v?[0-9A-Za-z.+-]{1,40}$/.test(parsed.gitVersion) ? parsed.gitVersion : null;
  if (answer.status !== 200 || !gitVersion) return { healthy: false, version: null, message: 'not a Kubernetes API server' };
  return { healthy: true, version: `Kubernetes ${gitVersion}`, message: null };
}

/**
 * Live reachability of the cluster, bounded by HEALTH_TIMEOUT_MS: every check aborts its own
 * connection at the deadline and reads a few KiB at most. A tenant's registration goes through
 * the endpoint policy again (its name may resolve elsewhere by now). Never throws.
 */
export async function clusterHealth(cluster: Cluster, services: ClusterServices): Promise<ClusterHealth> {
  try {
    const target = clusterTargetOf(cluster, services.secrets, services.endpointPolicy);
    if (!target) return { healthy: false, version: null, message: 'no cluster' };
    const policy = target.endpointPolicy ?? null;
    switch (cluster.kind) {
      case 'DOCKER': {
        const health = await dockerClusterHealth(target, { timeoutMs: HEALTH_TIMEOUT_MS });
        const message = health.message === 'timed out' ? timedOut : (health.message ?? null);
        return { healthy: health.healthy, version: health.version ? `Docker ${health.version}` : null, message };
      }
      case 'POSTGRESQL': {
        const parsed = target.connectionUrl ? parsePostgresUrl(target.connectionUrl).connection : null;
        if (!parsed) return { healthy: false, version: null, message: 'the stored connection URL is not usable (only host, port, database, user, password and sslmode are accepted)' };
        return await postgresHealth(parsed, policy, HEALTH_TIMEOUT_MS);
      }
      case 'KUBERNETES':
        if (!target.kubeconfig) return { healthy: false, version: null, message: 'no kubeconfig stored' };
        return await kubernetesHealth(target.kubeconfig, policy);
    }
  } catch {
    // E.g. credentials sealed with another key: nothing of it is worth showing.
    return { healthy: false, version: null, message: 'the health check could not be made' };
  }
}
