// Registering, listing, deleting and checking a tenant's clusters. What a kind of cluster is —
// its registration grammar, its health check — is its provider's (src/drivers/<kind>/cluster.ts).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { ClusterSchema, LIVE_STACK, StackSchema, TenantSchema, type Cluster } from '../db/entities/index.js';
import { DomainError, NameTaken, NotFound, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import type { EndpointPolicy } from '../drivers/endpoint-policy.js';
import { fieldProblem } from '../drivers/registration-problems.js';
import { MAX_STOP_GRACE_SECONDS } from '../drivers/workload/spec.js';
import { providerOf, type DriverRegistry } from '../drivers/registry.js';
import type { ClusterHealth, ClusterKind, ClusterRegistration } from '../drivers/types.js';

export type { ClusterHealth };
import { clusterTargetOf } from '../clusters/cluster-target.js';
import { isUuid } from './pagination.js';
import type { SecretBox } from '../security/secret-box.js';
import { checkName } from './tenants.js';
import { assertTenantAdmin, type Viewer } from './viewer.js';

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

export interface RegisterClusterInput extends ClusterRegistration {
  name: string;
  kind: ClusterKind;
  /** The platform administrator's registration for another tenant (trusted). */
  tenantId?: string | null;
}

/** What registration and health need beyond the database. */
export interface ClusterServices {
  secrets: SecretBox;
  /** AOS_CLUSTER_ENDPOINT_POLICY: what tenants' registrations may point at. */
  endpointPolicy: EndpointPolicy;
  /** The providers of the cluster kinds. */
  drivers: DriverRegistry;
}

/** A health check answers within this, whatever the target does. */
const HEALTH_TIMEOUT_MS = 3_000;
const REGISTRATION_FIELDS = ['endpoint', 'publishAddress', 'kubeconfig', 'connectionUrl', 'stopGracePeriodSeconds'] as const satisfies readonly (keyof ClusterRegistration)[];

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
  const provider = providerOf(services.drivers, input.kind);
  const problems: TemplateProblemLike[] = [];
  for (const field of REGISTRATION_FIELDS) {
    if (provider.registrationFields.includes(field) || input[field] === undefined || input[field] === null) continue;
    const kinds = [...services.drivers.providers.values()].filter((p) => p.registrationFields.includes(field)).map((p) => p.kind);
    problems.push(fieldProblem(field, `${field} applies only to ${kinds.join(' and ')} clusters`));
  }
  const grace = input.stopGracePeriodSeconds;
  if (grace !== undefined && grace !== null && provider.registrationFields.includes('stopGracePeriodSeconds') && !(Number.isInteger(grace) && grace >= 0 && grace <= MAX_STOP_GRACE_SECONDS)) {
    problems.push(fieldProblem('stopGracePeriodSeconds', `stopGracePeriodSeconds must be a whole number of seconds from 0 to ${MAX_STOP_GRACE_SECONDS}, got ${grace}`));
  }
  const checked = await provider.validateRegistration(input, policy);
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
    stopGracePeriodSeconds: grace ?? null,
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
  const users = await em.find(StackSchema, { $or: [{ cluster }, { serviceClusters: cluster }], ...LIVE_STACK }, { fields: ['name'], orderBy: { name: 'asc' }, limit: 10 });
  if (users.length > 0) {
    const names = users.map((stack) => stack.name);
    throw new ClusterInUse(`cluster "${cluster.name}" is used by stack${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}`, names);
  }
  const gone = { id: cluster.id, name: cluster.name, tenantId: cluster.tenant.id };
  // Deleted stacks (kept readable) do not hold the cluster: they forget it, and show no cluster from now on.
  await em.nativeUpdate(StackSchema, { cluster, status: 'DELETED' }, { cluster: null });
  await em.getConnection().execute(`delete from "stack_service_clusters" where "cluster_id" = ? and "stack_id" in (select "id" from "stacks" where "status" = 'DELETED')`, [cluster.id]);
  // The foreign key (restrict) still guards against a stack created meanwhile.
  await em.nativeDelete(ClusterSchema, { id: cluster.id });
  return gone;
}

// --- health -------------------------------------------------------------------------------------

/**
 * Live reachability of the cluster, bounded by HEALTH_TIMEOUT_MS: every check aborts its own
 * connection at the deadline and reads a few KiB at most. A tenant's registration goes through
 * the endpoint policy again (its name may resolve elsewhere by now). Never throws.
 */
export async function clusterHealth(cluster: Cluster, services: ClusterServices): Promise<ClusterHealth> {
  try {
    const target = clusterTargetOf(cluster, services.secrets, services.endpointPolicy);
    if (!target) return { healthy: false, version: null, message: 'no cluster' };
    return await providerOf(services.drivers, cluster.kind).health(target, HEALTH_TIMEOUT_MS);
  } catch {
    // E.g. credentials sealed with another key: nothing of it is worth showing.
    return { healthy: false, version: null, message: 'the health check could not be made' };
  }
}
