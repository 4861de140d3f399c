// cloneStack: a copy of a stack (same template version, same inputs, secrets copied on the
// server) on the same or another cluster and namespace.
import type { Stack } from '../../src/db/entities/index.js';
import { cloneStack } from '../../src/services/stack-clone.js';
import { secretInputNames } from '../../src/services/stacks.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import { NameTaken, NotFound, QuotaExceeded, TenantFrozen, ValidationFailed } from '../errors.js';
import { StackRef } from './stack.js';

const CloneStackInput = builder.inputType('CloneStackInput', {
  fields: (t) => ({
    stackId: t.id({ required: true, description: 'The stack to copy.' }),
    name: t.string({ required: true, description: 'The copy\'s name.' }),
    clusterId: t.id({ description: 'Default: the source\'s cluster. Its service clusters go along (but one of this cluster\'s kind).' }),
    clusterName: t.string(),
    namespace: t.string({ description: 'Default: the source\'s namespace.' }),
    inputs: t.field({ type: 'JSON', description: 'Overrides; every other input (password inputs too) is copied on the server.' }),
    deploy: t.boolean({ description: 'default true: install right away' }),
    clientRequestToken: t.string({ description: 'Makes the call idempotent: a repeat returns the stack the first call created.' }),
  }),
});

const CloneStackSuccess = builder.objectRef<{ stack: Stack }>('CloneStackSuccess').implement({
  fields: (t) => ({ stack: t.field({ type: StackRef, resolve: (r) => r.stack }) }),
});

builder.mutationFields((t) => ({
  cloneStack: t.field({
    type: CloneStackSuccess,
    description: 'A new stack from the same template version and inputs as another (secrets copied on the server, never through the client), on the same or another cluster and namespace.',
    args: { input: t.arg({ type: CloneStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, NameTaken, QuotaExceeded, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ stack: await cloneStack(ctx.em, ctx.viewer, ctx.services, input) }),
      traceName: 'CloneStack',
      resourceType: 'stack',
      before: (a) => ({ name: a.input.name, source: a.input.stackId }),
      after: (r) => ({ id: r.stack.id }),
      secretKeys: (a, ctx) => secretInputNames(ctx.em.fork(), ctx.viewer, { inputs: a.input.inputs, stackId: a.input.stackId }),
      message: (r) => `copy is ${r.stack.status}${r.stack.action ? ` (${r.stack.action} ${r.stack.actionState ?? ''})`.trimEnd() : ''}`,
    }),
  }),
}));
