import type { Cluster } from '../db/entities/index.js';
import type { ClusterTarget } from '../drivers/types.js';
import type { SecretBox } from './secret-box.js';

/** What drivers get of a cluster: its endpoint and, opened, the credentials sealed at registration. */
export function clusterTargetOf(cluster: Cluster | null | undefined, secrets: SecretBox): ClusterTarget | null {
  if (!cluster) return null;
  const credentials = cluster.credentialsEnc ? (secrets.open(cluster.credentialsEnc) as Record<string, string | undefined>) : {};
  return {
    id: cluster.id,
    name: cluster.name,
    kind: cluster.kind,
    endpoint: cluster.endpoint ?? null,
    publishAddress: cluster.publishAddress,
    kubeconfig: credentials.kubeconfig ?? null,
    connectionUrl: credentials.connectionUrl ?? null,
  };
}
