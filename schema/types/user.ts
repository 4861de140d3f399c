import { TenantSchema, UserSchema, type User } from '../../src/db/entities/index.js';
import { createUser } from '../../src/services/tenants.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import { Forbidden, NameTaken, NotFound, ValidationFailed } from '../errors.js';
import { TenantRef } from './tenant.js';

export const RoleEnum = builder.enumType('Role', { values: ['ADMIN', 'OPERATOR', 'VIEWER'] as const });

export const UserRef = builder.objectRef<User>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: RoleEnum, resolve: (user) => user.role }),
    tenant: t.field({ type: TenantRef, resolve: (user, _args, ctx) => ctx.em.findOneOrFail(TenantSchema, { id: user.tenant.id }) }),
  }),
});

const CreateUserSuccess = builder.objectRef<{ user: User; token: string }>('CreateUserSuccess').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (r) => r.user }),
    token: t.string({ description: 'The API token, shown this once: only its digest is kept.', resolve: (r) => r.token }),
  }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    tenantId: t.id({ required: true }),
    name: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    description: 'The user the bearer token belongs to.',
    resolve: (_root, _args, ctx) => ctx.em.findOneOrFail(UserSchema, { id: ctx.viewer.userId }),
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserSuccess,
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors: { types: [Forbidden, NotFound, NameTaken, ValidationFailed], union: { name: 'CreateUserResult' } },
    resolve: audited({
      run: async ({ input }, ctx) => createUser(ctx.em, ctx.viewer, input),
      traceName: 'UpdateTenantState',
        resourceType: 'user',
        before: (a) => ({ name: a.input.name }),
        after: (r) => ({ id: r.user.id }),
        message: (r) => `user ${r.user.name} created with role ${r.user.role}`,
    }),
  }),
}));
