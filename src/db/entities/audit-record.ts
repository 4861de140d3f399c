import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Kept apart from tenants by value, not by foreign key: audit outlives what it describes. */
export const AuditRecordSchema = defineEntity({
  name: 'AuditRecord',
  tableName: 'audit_records',
  indexes: [{ properties: ['tenantId', 'time'] }, { properties: ['targetTenantId', 'time'] }, { properties: ['time'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    tenantId: p.uuid().nullable(),
    /** The tenant a platform administrator acted on, when not its own: that tenant sees the record too. */
    targetTenantId: p.uuid().nullable(),
    tenantName: p.string().length(100),
    userName: p.string().length(100),
    traceName: p.string().length(64),
    traceStatus: p.enum(['normal', 'warning', 'incident'] as const),
    code: p.integer(),
    resourceType: p.string().length(64),
    resourceId: p.string().length(64).nullable(),
    resourceName: p.string().length(256).nullable(),
    sourceIp: p.string().length(64).nullable(),
    request: p.json<Record<string, unknown>>().nullable(),
    message: p.text(),
    time: p.datetime().onCreate(() => new Date()),
  }),
});
export type AuditRecord = InferEntity<typeof AuditRecordSchema>;
