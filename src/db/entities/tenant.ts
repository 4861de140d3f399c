import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: (p) => ({
    id: p.uuid().primary(),
    name: p.string().length(100).unique(),
    state: p.enum(['ACTIVE', 'FROZEN'] as const).default('ACTIVE'),
    quotaTemplates: p.integer().default(100),
    quotaStacks: p.integer().default(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Tenant = InferEntity<typeof TenantSchema>;
