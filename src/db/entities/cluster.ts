import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { CLUSTER_KINDS } from '../../domain/cluster-kinds.js';
import { TenantSchema } from './tenant.js';

/** A deployment target. Credentials (kubeconfig, connection URL) are stored encrypted, never returned. */
export const ClusterSchema = defineEntity({
  name: 'Cluster',
  tableName: 'clusters',
  uniques: [{ properties: ['tenant', 'name'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    tenant: p.manyToOne(TenantSchema).deleteRule('cascade'),
    name: p.string().length(100),
    kind: p.enum([...CLUSTER_KINDS]),
    endpoint: p.string().length(1024).nullable(),
    publishAddress: p.string().length(64).default('127.0.0.1'),
    /** DOCKER, KUBERNETES: seconds an instance gets after SIGTERM when its element sets none; null: the platform's or the cluster's own default. */
    stopGracePeriodSeconds: p.integer().nullable(),
    credentialsEnc: p.text().nullable(),
    /** Registered by the platform administrator: outside the tenant endpoint policy. */
    trusted: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Cluster = InferEntity<typeof ClusterSchema>;
