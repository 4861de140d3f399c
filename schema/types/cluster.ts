import type { Cluster } from '../../src/db/entities/index.js';
import { CLUSTER_KINDS } from '../../src/domain/cluster-kinds.js';
import { ClusterInUse, clusterHealth, deleteCluster, listClusters, registerCluster, type ClusterHealth, type ClusterServices } from '../../src/services/clusters.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { ErrorInterface, NameTaken, NotFound, TenantFrozen, ValidationFailed } from '../errors.js';

const ClusterKindEnum = builder.enumType('ClusterKind', { values: CLUSTER_KINDS });

// healthy, version and healthMessage come from one live check per cluster and operation.
const checks = new WeakMap<Cluster, Promise<ClusterHealth>>();
function healthOf(cluster: Cluster, ctx: GraphQLContext): Promise<ClusterHealth> {
  let check = checks.get(cluster);
  if (!check) {
    check = clusterHealth(cluster, clusterServices(ctx));
    checks.set(cluster, check);
  }
  return check;
}

/** The tenant a platform administrator names, as a string; null for the caller's own. */
function tenantIdOf(input: { tenantId?: string | number | null }): string | null {
  return input.tenantId === undefined || input.tenantId === null ? null : String(input.tenantId);
}

function clusterServices(ctx: GraphQLContext): ClusterServices {
  return { secrets: ctx.services.secrets, endpointPolicy: ctx.services.config.clusterEndpointPolicy, drivers: ctx.services.drivers };
}

export const ClusterRef = builder.objectRef<Cluster>('Cluster').implement({
  description: 'A deployment target of the tenant. Its credentials (kubeconfig, connection URL) are stored encrypted and never returned.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: ClusterKindEnum, resolve: (cluster) => cluster.kind }),
    endpoint: t.string({
      nullable: true,
      description: 'DOCKER: the engine endpoint; KUBERNETES: the API server; POSTGRESQL: the server address (without user or password).',
      resolve: (cluster) => cluster.endpoint ?? null,
    }),
    publishAddress: t.string({
      nullable: true,
      description: 'DOCKER: the address ports are published on. KUBERNETES: where NodePorts are reached. POSTGRESQL: host:port workloads reach the server at.',
      resolve: (cluster) => cluster.publishAddress,
    }),
    stopGracePeriodSeconds: t.int({
      nullable: true,
      description: 'DOCKER, KUBERNETES: seconds an instance gets after SIGTERM when its element sets no stopGracePeriodSeconds. Null: on Docker the platform default (AOS_DOCKER_STOP_TIMEOUT_SECONDS), on Kubernetes its own (30).',
      resolve: (cluster) => cluster.stopGracePeriodSeconds ?? null,
    }),
    healthy: t.boolean({ description: 'Checked live when asked (at most 3 s, a few KiB read).', resolve: async (cluster, _a, ctx) => (await healthOf(cluster, ctx)).healthy }),
    version: t.string({ nullable: true, description: 'What the live check found, e.g. "Docker 26.1.5 (API 1.45)".', resolve: async (cluster, _a, ctx) => (await healthOf(cluster, ctx)).version }),
    healthMessage: t.string({
      nullable: true,
      description: 'Why the cluster is not healthy, as a generic reason ("unreachable", "timed out …", "not a Docker engine", "authentication failed", "TLS failure", …): never what the endpoint said.',
      resolve: async (cluster, _a, ctx) => (await healthOf(cluster, ctx)).message,
    }),
    trusted: t.boolean({
      description: 'Registered by the platform administrator: outside the tenant endpoint policy (AOS_CLUSTER_ENDPOINT_POLICY).',
      resolve: (cluster) => cluster.trusted,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (cluster) => cluster.createdAt }),
  }),
});

builder.objectType(ClusterInUse, {
  name: 'ClusterInUse',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ClusterInUse,
  fields: (t) => ({ stacks: t.exposeStringList('stacks', { description: 'Stacks on the cluster (the first 10 by name).' }) }),
});

const RegisterClusterSuccess = builder.objectRef<{ cluster: Cluster }>('RegisterClusterSuccess').implement({
  fields: (t) => ({ cluster: t.field({ type: ClusterRef, resolve: (r) => r.cluster }) }),
});
const DeleteClusterSuccess = builder.objectRef<{ clusterId: string; name: string; tenantId: string }>('DeleteClusterSuccess').implement({
  fields: (t) => ({ clusterId: t.exposeID('clusterId') }),
});

const RegisterClusterInput = builder.inputType('RegisterClusterInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: ClusterKindEnum, required: true }),
    endpoint: t.string({ description: 'DOCKER: unix:///path or tcp://host:port' }),
    publishAddress: t.string({ description: 'DOCKER: where ports are published; default 127.0.0.1. KUBERNETES: where NodePorts are reached; default the API server\'s host. POSTGRESQL: host or host:port workloads reach the server at; default the connection URL\'s.' }),
    kubeconfig: t.string({ description: 'KUBERNETES (stored encrypted)' }),
    connectionUrl: t.string({ description: 'POSTGRESQL (stored encrypted): postgresql://user:password@host:port/database, only sslmode as a parameter' }),
    stopGracePeriodSeconds: t.int({ description: 'DOCKER, KUBERNETES: the stop grace (0 to 300 s) of instances whose element sets none. Default: the platform\'s on Docker, Kubernetes\' own.' }),
    tenantId: t.id({ description: "The platform administrator's registration for a tenant (trusted: outside the tenant endpoint policy). Default: the caller's tenant." }),
  }),
});
const DeleteClusterInput = builder.inputType('DeleteClusterInput', {
  fields: (t) => ({ clusterId: t.id({ required: true }) }),
});

builder.queryFields((t) => ({
  clusters: t.field({
    type: [ClusterRef],
    description: "The tenant's clusters, by name.",
    resolve: (_root, _args, ctx) => listClusters(ctx.em, ctx.viewer),
  }),
}));

builder.mutationFields((t) => ({
  registerCluster: t.field({
    type: RegisterClusterSuccess,
    args: { input: t.arg({ type: RegisterClusterInput, required: true }) },
    description: "A tenant's ADMIN registers for its tenant, within the endpoint policy; the platform administrator for any tenant (tenantId), trusted.",
    errors: { types: [ValidationFailed, NameTaken, TenantFrozen, NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ cluster: await registerCluster(ctx.em, ctx.viewer, clusterServices(ctx), { ...input, tenantId: tenantIdOf(input) }) }),
      traceName: 'RegisterCluster',
      resourceType: 'cluster',
      before: (a) => ({ name: a.input.name }),
      after: (r) => ({ id: r.cluster.id }),
      message: (r) => `${r.cluster.kind} cluster registered${r.cluster.trusted ? ' by the platform administrator (trusted)' : ''}`,
      targetTenant: (a) => tenantIdOf(a.input),
    }),
  }),
  deleteCluster: t.field({
    type: DeleteClusterSuccess,
    description: 'Removes a cluster no stack uses.',
    args: { input: t.arg({ type: DeleteClusterInput, required: true }) },
    errors: { types: [NotFound, ClusterInUse, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => {
        const gone = await deleteCluster(ctx.em, ctx.viewer, String(input.clusterId));
        return { clusterId: gone.id, name: gone.name, tenantId: gone.tenantId };
      },
      traceName: 'DeleteCluster',
      resourceType: 'cluster',
      before: (a) => ({ id: a.input.clusterId }),
      after: (r) => ({ name: r.name }),
      targetTenant: (_a, r) => r?.tenantId,
    }),
  }),
}));
