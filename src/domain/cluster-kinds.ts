/** The kinds of deployment target a tenant registers; each has its provider in src/drivers/<kind>/. */
export const CLUSTER_KINDS = ['DOCKER', 'KUBERNETES', 'POSTGRESQL'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
