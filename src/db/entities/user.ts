import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { TenantSchema } from './tenant.js';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  uniques: [{ properties: ['tenant', 'name'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    tenant: p.manyToOne(TenantSchema).deleteRule('cascade'),
    name: p.string().length(100),
    role: p.enum(['ADMIN', 'OPERATOR', 'VIEWER'] as const),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type User = InferEntity<typeof UserSchema>;
