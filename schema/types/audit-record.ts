import type { AuditRecord } from '../../src/db/entities/index.js';
import { listAuditRecords, liveAuditRecords } from '../../src/audit/audit.js';
import { builder } from '../builder.js';

const AuditRecordRef = builder.objectRef<AuditRecord>('AuditRecord').implement({
  description: 'One API change, successful or not (like a CTS trace).',
  fields: (t) => ({
    id: t.exposeID('id'),
    traceName: t.exposeString('traceName'),
    traceStatus: t.exposeString('traceStatus', { description: 'normal, warning or incident' }),
    code: t.exposeInt('code'),
    user: t.exposeString('userName'),
    tenant: t.exposeString('tenantName'),
    resourceType: t.exposeString('resourceType'),
    resourceId: t.string({ nullable: true, resolve: (r) => r.resourceId ?? null }),
    resourceName: t.string({ nullable: true, resolve: (r) => r.resourceName ?? null }),
    sourceIp: t.string({ nullable: true, resolve: (r) => r.sourceIp ?? null }),
    request: t.field({ type: 'JSON', nullable: true, description: 'Secrets masked.', resolve: (r) => r.request ?? null }),
    message: t.exposeString('message'),
    time: t.field({ type: 'DateTime', resolve: (r) => r.time }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    traceName: t.string(),
    resourceType: t.string(),
    resourceId: t.string(),
    resourceName: t.string(),
    traceStatus: t.string(),
    user: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  auditRecords: t.connection({
    type: AuditRecordRef,
    description: 'Newest first. A tenant sees its own records and what the platform administrator did to it; the platform administrator sees every tenant’s.',
    args: { filter: t.arg({ type: AuditFilter }) },
    resolve: (_root, args, ctx) => listAuditRecords(ctx.em, ctx.viewer, args.filter ?? {}, args),
  },
    { name: 'AuditRecordConnection' },
    { name: 'AuditRecordEdge' },
  ),
}));

builder.subscriptionFields((t) => ({
  auditRecorded: t.field({
    type: AuditRecordRef,
    description: 'Audit records as they are written (the same visibility as auditRecords).',
    subscribe: (_root, _args, ctx) => liveAuditRecords(ctx.services.live, ctx.viewer),
    resolve: (record: AuditRecord) => record,
  }),
}));
