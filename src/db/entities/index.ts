import { ApiTokenSchema } from './api-token.js';
import { AuditRecordSchema } from './audit-record.js';
import { ClusterSchema } from './cluster.js';
import { AlarmSchema, StackElementSchema, StackEventSchema, StackRevisionSchema, StackSchema } from './stack.js';
import { TemplateSchema, TemplateVersionSchema } from './template.js';
import { TenantSchema } from './tenant.js';
import { UserSchema } from './user.js';

export * from './api-token.js';
export * from './audit-record.js';
export * from './cluster.js';
export * from './stack.js';
export * from './template.js';
export * from './tenant.js';
export * from './user.js';

export const allEntities = [TenantSchema, UserSchema, ApiTokenSchema, TemplateSchema, TemplateVersionSchema, AuditRecordSchema, ClusterSchema, StackSchema, StackElementSchema, StackEventSchema, AlarmSchema, StackRevisionSchema];
