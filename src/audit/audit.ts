import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditRecordSchema, type AuditRecord } from '../db/entities/index.js';
import { DomainError } from '../domain/errors.js';
import { maskForRecord } from '../domain/secrets.js';
import type { LiveFeed, LiveTopic } from '../events/live-feed.js';
import { isUuid, paginate, type Page, type PageArgs } from '../services/pagination.js';
import type { Viewer } from '../services/viewer.js';

/** Trace names, one per kind of change (the names CTS uses for the same changes). */
type TraceName =
  | 'CreateTemplate'
  | 'DeleteTemplate'
  | 'UpdateTemplate'
  | 'PreviewStack'
  | 'CreateStack'
  | 'CloneStack'
  | 'DeleteStack'
  | 'UpdateStack'
  | 'ExecuteStackAction'
  | 'CleanupResources'
  | 'UpdateTenantState'
  | 'RegisterCluster'
  | 'DeleteCluster'
  | 'ExportStackInputs'
  | 'CreateToken'
  | 'RevokeToken'
  | 'DeleteUser';

export interface AuditEntry {
  traceName: TraceName;
  resourceType: string;
  resourceId?: string | null;
  resourceName?: string | null;
  request?: unknown;
  /** Request keys whose values are secret beyond the usual names (e.g. password inputs). */
  secretKeys?: ReadonlySet<string>;
  /** The tenant acted on, when it may differ from the actor's (platform administration). */
  targetTenantId?: string | null;
}

export interface AuditOutcome {
  code: number;
  traceStatus: 'normal' | 'warning' | 'incident';
  message: string;
}

export function outcomeOf(error: unknown): AuditOutcome {
  if (error instanceof DomainError) return { code: error.status, traceStatus: 'warning', message: `${error.code}: ${error.message}` };
  // The cause of an unexpected failure stays in the server log; the record says only that it happened.
  return { code: 500, traceStatus: 'incident', message: 'unexpected error' };
}

/**
 * Writes one record in its own fork and transaction, so a record of a failure survives the
 * rollback of the work that failed.
 */
export async function writeAudit(
  em: EntityManager,
  actor: Pick<Viewer, 'tenantId' | 'tenantName' | 'userName'> | null,
  sourceIp: string | null,
  entry: AuditEntry,
  outcome: AuditOutcome,
): Promise<AuditRecord> {
  const fork = em.fork({ clear: true });
  const tenantId = actor?.tenantId ?? null;
  const record = fork.create(AuditRecordSchema, {
    id: randomUUID(),
    tenantId,
    targetTenantId: entry.targetTenantId && entry.targetTenantId !== tenantId ? entry.targetTenantId : null,
    tenantName: actor?.tenantName ?? '-',
    userName: actor?.userName ?? '-',
    traceName: entry.traceName,
    traceStatus: outcome.traceStatus,
    code: outcome.code,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    resourceName: entry.resourceName ? entry.resourceName.slice(0, 256) : null,
    sourceIp,
    request: entry.request === undefined ? null : (maskForRecord(entry.request, entry.secretKeys) as Record<string, unknown>),
    message: outcome.message,
  });
  await fork.flush();
  return record;
}

export interface AuditFilter {
  traceName?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  resourceName?: string | null;
  traceStatus?: string | null;
  user?: string | null;
  from?: Date | null;
  to?: Date | null;
}


/**
 * Newest first. A tenant sees its own records and those of the platform administrator's actions
 * on it; the platform administrator sees every tenant's.
 */
export async function listAuditRecords(em: EntityManager, viewer: Viewer, filter: AuditFilter, args: PageArgs): Promise<Page<AuditRecord>> {
  const where: Record<string, unknown> = {};
  if (!viewer.platformAdmin) where.$or = [{ tenantId: viewer.tenantId }, { targetTenantId: viewer.tenantId }];
  if (filter.traceName) where.traceName = filter.traceName;
  if (filter.resourceType) where.resourceType = filter.resourceType;
  if (filter.resourceId) where.resourceId = filter.resourceId;
  if (filter.resourceName) where.resourceName = filter.resourceName;
  if (filter.traceStatus) where.traceStatus = filter.traceStatus;
  if (filter.user) where.userName = filter.user;
  if (filter.from || filter.to) {
    where.time = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
  }
  return paginate(em, AuditRecordSchema, where, { time: 'desc', id: 'desc' }, args);
}

const ALL_TENANTS = 'all';

function auditKeys(tenantId: string | null | undefined, targetTenantId: string | null | undefined): string[] {
  return [ALL_TENANTS, ...(tenantId ? [`tenant/${tenantId}`] : []), ...(targetTenantId ? [`tenant/${targetTenantId}`] : [])];
}

/** Audit records as written: to the platform administrator all of them, to a tenant its own and those aimed at it. */
const auditRecordTopic: LiveTopic<'audit.recorded', AuditRecord> = {
  topic: 'audit.recorded',
  rowIdOf: (payload) => (isUuid(payload.id) ? payload.id : null),
  keysOfPayload: (payload) => auditKeys(payload.tenantId, payload.targetTenantId),
  load: (em, ids) => em.find(AuditRecordSchema, { id: { $in: ids } }, { orderBy: { time: 'asc', id: 'asc' } }),
  idOfRow: (record) => record.id,
  keysOfRow: (record) => auditKeys(record.tenantId, record.targetTenantId),
};

/** The audit records the viewer may see, as they are written (visibility decided once, here). */
export function liveAuditRecords(live: LiveFeed, viewer: Viewer): AsyncIterableIterator<AuditRecord> {
  return live.subscribe(auditRecordTopic, viewer.platformAdmin ? ALL_TENANTS : `tenant/${viewer.tenantId}`);
}

/** Retention: removes records older than `days`; returns how many went. */
export async function purgeAuditRecords(em: EntityManager, days: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 24 * 3600 * 1000);
  return em.fork().nativeDelete(AuditRecordSchema, { time: { $lt: cutoff } });
}
