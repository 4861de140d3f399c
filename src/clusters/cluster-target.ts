// Outside services/: the API and the worker's activities both hand clusters to drivers, and the
// worker side may not import services/ (services reach the worker through Temporal).
import type { Cluster } from '../db/entities/index.js';
import type { EndpointPolicy } from '../drivers/endpoint-policy.js';
import { parsePostgresUrl } from '../drivers/postgresql/connection.js';
import type { ClusterCredentials, ClusterTarget } from '../drivers/types.js';
import type { SecretBox } from '../security/secret-box.js';

/**
 * What drivers get of a cluster: its endpoint and, opened, the credentials sealed at registration.
 * A tenant's registration carries the endpoint policy, which every connection applies; one by the
 * platform administrator is trusted and carries none. A connection URL that breaks the rules of
 * registration (parameters other than sslmode, e.g. from before they existed) is not handed on.
 */
export function clusterTargetOf(cluster: Cluster | null | undefined, secrets: SecretBox, policy: EndpointPolicy): ClusterTarget | null {
  if (!cluster) return null;
  const credentials = cluster.credentialsEnc ? (secrets.open(cluster.credentialsEnc) as ClusterCredentials) : {};
  const connectionUrl = credentials.connectionUrl && parsePostgresUrl(credentials.connectionUrl).connection ? credentials.connectionUrl : null;
  return {
    id: cluster.id,
    name: cluster.name,
    kind: cluster.kind,
    endpoint: cluster.endpoint ?? null,
    publishAddress: cluster.publishAddress,
    stopGracePeriodSeconds: cluster.stopGracePeriodSeconds ?? null,
    kubeconfig: credentials.kubeconfig ?? null,
    connectionUrl,
    endpointPolicy: cluster.trusted ? null : policy,
  };
}
