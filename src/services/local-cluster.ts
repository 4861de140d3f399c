import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ClusterSchema, TenantSchema } from '../db/entities/index.js';
import { DEFAULT_TENANT } from './auth.js';

export const LOCAL_CLUSTER = 'local';

/**
 * `npm run up` found (or started) a Docker engine: make it the default tenant's `local` cluster,
 * pointing at that engine even when its socket moved since the last run. The platform registers
 * it, so it is trusted (the endpoint policy keeps tenants away from the platform's own engines).
 */
export async function ensureLocalDockerCluster(em: EntityManager, endpoint: string): Promise<void> {
  const tenant = await em.findOne(TenantSchema, { name: DEFAULT_TENANT });
  if (!tenant) return;
  const existing = await em.findOne(ClusterSchema, { tenant, name: LOCAL_CLUSTER });
  if (existing) {
    if (existing.kind === 'DOCKER') {
      existing.endpoint = endpoint;
      existing.trusted = true;
    }
  } else {
    em.create(ClusterSchema, { id: randomUUID(), tenant, name: LOCAL_CLUSTER, kind: 'DOCKER', endpoint, publishAddress: '127.0.0.1', credentialsEnc: null, trusted: true });
  }
  await em.flush();
}
