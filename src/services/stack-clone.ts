// cloneStack: a new stack from the same template version and the same inputs as an existing one,
// on the same or another cluster and namespace — the guide's "replicate and migrate". Secret
// inputs are opened and sealed again here, on the server: they never travel through the client.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cluster, Stack } from '../db/entities/index.js';
import { ValidationFailed } from '../domain/errors.js';
import { lookupCluster } from './clusters.js';
import { findStack, templateOfStack, versionOfStack } from './stack-lookups.js';
import { isRecord } from './stack-requests.js';
import { createStack, type StackServices } from './stacks.js';
import { assertCanChange, type Viewer } from './viewer.js';

export interface CloneStackInput {
  stackId: string;
  name: string;
  clusterId?: string | null;
  clusterName?: string | null;
  namespace?: string | null;
  /** Overrides; every other input (secret ones too) is the source's. */
  inputs?: unknown;
  deploy?: boolean | null;
  clientRequestToken?: string | null;
}

/** The kind of the cluster the copy goes to: the one named (if it exists), else the source's. */
async function targetKind(em: EntityManager, viewer: Viewer, source: Stack, input: CloneStackInput): Promise<Cluster['kind'] | null> {
  if (!input.clusterId && !input.clusterName) return source.cluster?.kind ?? null;
  const cluster = await lookupCluster(em, viewer, { id: input.clusterId, name: input.clusterId ? null : input.clusterName });
  return cluster?.kind ?? null;
}

export async function cloneStack(em: EntityManager, viewer: Viewer, services: StackServices, input: CloneStackInput): Promise<Stack> {
  assertCanChange(viewer);
  const source = await findStack(em, viewer, { id: input.stackId });
  if (input.inputs !== undefined && input.inputs !== null && !isRecord(input.inputs)) {
    throw ValidationFailed.single('NOT_A_MAPPING', 'inputs', 'inputs must be a JSON object of input names to values', '{ "instance": 2 }');
  }
  await em.populate(source, ['cluster', 'serviceClusters']);
  const [template, version] = await Promise.all([templateOfStack(em, source), versionOfStack(em, source)]);
  const kind = await targetKind(em, viewer, source, input);
  // The source's service clusters go along, except one of the new cluster's own kind.
  const serviceClusters = source.serviceClusters
    .getItems()
    .filter((service) => service.kind !== kind)
    .map((service) => service.id);
  // An unknown cluster named in the request is createStack's NotFound, in the request's words.
  const cluster = input.clusterId ? { clusterId: input.clusterId } : input.clusterName ? { clusterName: input.clusterName } : source.cluster ? { clusterId: source.cluster.id } : {};
  return createStack(em, viewer, services, {
    name: input.name,
    description: source.description ?? null,
    templateId: template.id,
    templateVersion: version.version,
    ...cluster,
    serviceClusters,
    namespace: input.namespace ?? source.namespace,
    inputs: { ...services.secrets.openAll(source.inputs ?? {}), ...(isRecord(input.inputs) ? input.inputs : {}) },
    timeoutMinutes: source.timeoutMinutes,
    autoRollback: source.autoRollback,
    deploy: input.deploy ?? true,
    clientRequestToken: input.clientRequestToken ?? null,
  });
}
