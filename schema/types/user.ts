import { TenantSchema, UserSchema, type ApiToken, type User } from '../../src/db/entities/index.js';
import { PLATFORM_TENANT } from '../../src/services/viewer.js';
import { createToken, createUser, deleteUser, listUsers, revokeToken, tokensOf } from '../../src/services/users.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import { NameTaken, NotFound, ValidationFailed } from '../errors.js';
import { TenantRef } from './tenant.js';

const RoleEnum = builder.enumType('Role', { values: ['ADMIN', 'OPERATOR', 'VIEWER'] as const });

const ApiTokenRef = builder.objectRef<ApiToken>('ApiToken').implement({
  description: 'A bearer token of a user. Its value is shown once, when it is made; only its digest is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.expiresAt ?? null }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, description: 'To the minute.', resolve: (token) => token.lastUsedAt ?? null }),
  }),
});

const UserRef = builder.objectRef<User>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: RoleEnum, resolve: (user) => user.role }),
    tenant: t.field({ type: TenantRef, resolve: (user, _args, ctx) => ctx.em.findOneOrFail(TenantSchema, { id: user.tenant.id }) }),
    platformAdmin: t.boolean({
      description: 'ADMIN of the platform tenant: creates tenants, sets quotas, freezes, sees every tenant. A tenant’s ADMINs are false.',
      resolve: async (user, _args, ctx) => {
        if (user.role !== 'ADMIN') return false;
        const tenant = await ctx.em.findOneOrFail(TenantSchema, { id: user.tenant.id });
        return tenant.name === PLATFORM_TENANT;
      },
    }),
    tokens: t.field({
      type: [ApiTokenRef],
      description: 'Live tokens: the user’s own, or any of the tenant’s for its ADMIN (empty for anyone else).',
      resolve: (user, _args, ctx) => tokensOf(ctx.em, ctx.viewer, user),
    }),
  }),
});

const CreateUserSuccess = builder.objectRef<{ user: User; token: string }>('CreateUserSuccess').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (r) => r.user }),
    token: t.string({ description: 'The API token, shown this once: only its digest is kept.', resolve: (r) => r.token }),
  }),
});
const CreateTokenSuccess = builder.objectRef<{ token: string; apiToken: ApiToken }>('CreateTokenSuccess').implement({
  fields: (t) => ({
    token: t.string({ description: 'The token, shown this once: only its digest is kept.', resolve: (r) => r.token }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (r) => r.apiToken }),
  }),
});
const RevokeTokenSuccess = builder.objectRef<{ tokenId: string }>('RevokeTokenSuccess').implement({
  fields: (t) => ({ tokenId: t.exposeID('tokenId') }),
});
const DeleteUserSuccess = builder.objectRef<{ userId: string }>('DeleteUserSuccess').implement({
  fields: (t) => ({ userId: t.exposeID('userId') }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    tenantId: t.id({ required: true }),
    name: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});
const CreateTokenInput = builder.inputType('CreateTokenInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    name: t.string({ required: true }),
    expiresInDays: t.int({ description: '1 to 3650; left out, the token does not expire.' }),
  }),
});
const RevokeTokenInput = builder.inputType('RevokeTokenInput', { fields: (t) => ({ tokenId: t.id({ required: true }) }) });
const DeleteUserInput = builder.inputType('DeleteUserInput', { fields: (t) => ({ userId: t.id({ required: true }) }) });

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    description: 'The user the bearer token belongs to.',
    resolve: (_root, _args, ctx) => ctx.em.findOneOrFail(UserSchema, { id: ctx.viewer.userId }),
  }),
  users: t.field({
    type: [UserRef],
    description: 'A tenant’s users, by name: a tenant ADMIN sees its own tenant, the platform administrator any; other roles see themselves.',
    args: { tenantId: t.arg.id() },
    resolve: (_root, args, ctx) => listUsers(ctx.em, ctx.viewer, args.tenantId ? String(args.tenantId) : null),
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserSuccess,
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors: { types: [NotFound, NameTaken, ValidationFailed] },
    resolve: audited({
      run: async ({ input }, ctx) => createUser(ctx.em, ctx.viewer, input),
      traceName: 'UpdateTenantState',
      resourceType: 'user',
      before: (a) => ({ name: a.input.name }),
      after: (r) => ({ id: r.user.id }),
      message: (r) => `user ${r.user.name} created with role ${r.user.role}`,
      targetTenant: (a) => String(a.input.tenantId),
    }),
  }),
  createToken: t.field({
    type: CreateTokenSuccess,
    args: { input: t.arg({ type: CreateTokenInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => createToken(ctx.em, ctx.viewer, input),
      traceName: 'CreateToken',
      resourceType: 'token',
      before: (a) => ({ name: a.input.name }),
      after: (r) => ({ id: r.apiToken.id }),
      message: (r) => `token ${r.apiToken.name} created${r.apiToken.expiresAt ? `, expires ${r.apiToken.expiresAt.toISOString()}` : ''}`,
      targetTenant: (_a, r) => (r ? String(r.apiToken.user.tenant.id) : null),
    }),
  }),
  revokeToken: t.field({
    type: RevokeTokenSuccess,
    args: { input: t.arg({ type: RevokeTokenInput, required: true }) },
    errors: { types: [NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => revokeToken(ctx.em, ctx.viewer, String(input.tokenId)),
      traceName: 'RevokeToken',
      resourceType: 'token',
      before: (a) => ({ id: String(a.input.tokenId) }),
      message: () => 'token revoked',
      targetTenant: (_a, r) => r?.tenantId,
    }),
  }),
  deleteUser: t.field({
    type: DeleteUserSuccess,
    args: { input: t.arg({ type: DeleteUserInput, required: true }) },
    errors: { types: [NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => deleteUser(ctx.em, ctx.viewer, String(input.userId)),
      traceName: 'DeleteUser',
      resourceType: 'user',
      before: (a) => ({ id: String(a.input.userId) }),
      after: (r) => ({ name: r.name }),
      message: (r) => `user ${r.name} deleted, its tokens revoked`,
      targetTenant: (_a, r) => r?.tenantId,
    }),
  }),
}));
