import { TenantSchema, type Tenant } from '../../src/db/entities/index.js';
import { createTenant, findTenant, quotaOf, setQuota, setTenantState, type QuotaView } from '../../src/services/tenants.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import { NameTaken, NotFound, ValidationFailed } from '../errors.js';

const TenantStateEnum = builder.enumType('TenantState', { values: ['ACTIVE', 'FROZEN'] as const });

export const TenantRef = builder.objectRef<Tenant>('Tenant').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    state: t.field({ type: TenantStateEnum, resolve: (tenant) => tenant.state }),
    quota: t.field({
      type: QuotaRef,
      nullable: true,
      description: "Limits and usage: for the platform administrator any tenant's, for anyone else its own (null otherwise).",
      resolve: (tenant, _args, ctx) => (ctx.viewer.platformAdmin || tenant.id === ctx.viewer.tenantId ? quotaOf(ctx.em, tenant) : null),
    }),
  }),
});

const QuotaRef = builder.objectRef<QuotaView>('Quota').implement({
  fields: (t) => ({
    templates: t.exposeInt('templates'),
    stacks: t.exposeInt('stacks'),
    templatesUsed: t.exposeInt('templatesUsed'),
    stacksUsed: t.exposeInt('stacksUsed'),
  }),
});

const CreateTenantSuccess = builder.objectRef<{ tenant: Tenant }>('CreateTenantSuccess').implement({
  fields: (t) => ({ tenant: t.field({ type: TenantRef, resolve: (r) => r.tenant }) }),
});
const SetQuotaSuccess = builder.objectRef<{ quota: QuotaView }>('SetQuotaSuccess').implement({
  fields: (t) => ({ quota: t.field({ type: QuotaRef, resolve: (r) => r.quota }) }),
});
const SetTenantStateSuccess = builder.objectRef<{ tenant: Tenant }>('SetTenantStateSuccess').implement({
  fields: (t) => ({ tenant: t.field({ type: TenantRef, resolve: (r) => r.tenant }) }),
});

const CreateTenantInput = builder.inputType('CreateTenantInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});
const SetQuotaInput = builder.inputType('SetQuotaInput', {
  fields: (t) => ({ tenantId: t.id({ required: true }), templates: t.int(), stacks: t.int() }),
});
const SetTenantStateInput = builder.inputType('SetTenantStateInput', {
  fields: (t) => ({ tenantId: t.id({ required: true }), state: t.field({ type: TenantStateEnum, required: true }) }),
});

builder.queryFields((t) => ({
  quota: t.field({
    type: QuotaRef,
    description: "The caller's tenant: limits and usage.",
    resolve: async (_root, _args, ctx) => quotaOf(ctx.em, await findTenant(ctx.em, ctx.viewer.tenantId)),
  }),
  tenants: t.field({
    type: [TenantRef],
    description: 'Every tenant for the platform administrator; anyone else sees its own.',
    resolve: (_root, _args, ctx) =>
      ctx.viewer.platformAdmin
        ? ctx.em.find(TenantSchema, {}, { orderBy: { name: 'asc' } })
        : ctx.em.find(TenantSchema, { id: ctx.viewer.tenantId }),
  }),
}));

builder.mutationFields((t) => ({
  createTenant: t.field({
    type: CreateTenantSuccess,
    args: { input: t.arg({ type: CreateTenantInput, required: true }) },
    errors: { types: [NameTaken, ValidationFailed] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ tenant: await createTenant(ctx.em, ctx.viewer, input.name) }),
      traceName: 'UpdateTenantState', resourceType: 'tenant', before: (a) => ({ name: a.input.name }), after: (r) => ({ id: r.tenant.id }),
      targetTenant: (_a, r) => r?.tenant.id,
    }),
  }),
  setQuota: t.field({
    type: SetQuotaSuccess,
    args: { input: t.arg({ type: SetQuotaInput, required: true }) },
    errors: { types: [NotFound, ValidationFailed] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ quota: await setQuota(ctx.em, ctx.viewer, input) }),
      traceName: 'UpdateTenantState', resourceType: 'tenant', before: (a) => ({ id: a.input.tenantId }), message: () => 'quota set',
      targetTenant: (a) => String(a.input.tenantId),
    }),
  }),
  setTenantState: t.field({
    type: SetTenantStateSuccess,
    args: { input: t.arg({ type: SetTenantStateInput, required: true }) },
    errors: { types: [NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ tenant: await setTenantState(ctx.em, ctx.viewer, input) }),
      traceName: 'UpdateTenantState',
        resourceType: 'tenant',
        before: (a) => ({ id: a.input.tenantId }),
        after: (r) => ({ name: r.tenant.name }),
        message: (r) => `tenant is ${r.tenant.state}`,
        targetTenant: (a) => String(a.input.tenantId),
    }),
  }),
}));
