// What can be asked of a stack: preview, create, update, run an action, cancel it, delete, export
// inputs. Each mutation returns a success payload or one of the errors it names (a union).
import type { Stack } from '../../src/db/entities/index.js';
import { plural } from '../../src/domain/text.js';
import { previewStack, previewStackUpdate, type StackPlan } from '../../src/services/stack-plans.js';
import { warmTopology } from '../../src/services/stack-views.js';
import { cancelStackAction, createStack, deleteStack, executeStackAction, exportStackInputs, secretInputNames, updateStack } from '../../src/services/stacks.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import { InvalidStackState, NameTaken, NotFound, QuotaExceeded, StackBusy, TenantFrozen, ValidationFailed } from '../errors.js';
import { StackRef } from './stack.js';
import { CreateStackInput, DeleteStackInput, ExecuteStackActionInput, ExportStackInputsInput, StackIdInput, UpdateStackInput } from './stack-inputs.js';
import { StackPlanRef } from './stack-plan.js';

const PreviewStackSuccess = builder.objectRef<{ plan: StackPlan }>('PreviewStackSuccess').implement({
  fields: (t) => ({ plan: t.field({ type: StackPlanRef, resolve: (r) => r.plan }) }),
});
const PreviewStackUpdateSuccess = builder.objectRef<{ plan: StackPlan }>('PreviewStackUpdateSuccess').implement({
  fields: (t) => ({ plan: t.field({ type: StackPlanRef, resolve: (r) => r.plan }) }),
});
function stackSuccess(name: string) {
  return builder.objectRef<{ stack: Stack }>(name).implement({
    fields: (t) => ({ stack: t.field({ type: StackRef, resolve: (r) => r.stack }) }),
  });
}
const CreateStackSuccess = stackSuccess('CreateStackSuccess');
const UpdateStackSuccess = stackSuccess('UpdateStackSuccess');
const ExecuteStackActionSuccess = stackSuccess('ExecuteStackActionSuccess');
const CancelStackActionSuccess = stackSuccess('CancelStackActionSuccess');
const DeleteStackSuccess = builder.objectRef<{ stackId: string; name: string }>('DeleteStackSuccess').implement({
  fields: (t) => ({ stackId: t.exposeID('stackId') }),
});
const ExportStackInputsSuccess = builder.objectRef<{ text: string; stack: Stack }>('ExportStackInputsSuccess').implement({
  fields: (t) => ({ text: t.exposeString('text', { description: 'The current inputs, password inputs masked.' }) }),
});

builder.mutationFields((t) => ({
  previewStack: t.field({
    type: PreviewStackSuccess,
    description: 'The plan of a createStack: every element as ADD in install order, resolved properties (secrets masked). Nothing is stored.',
    args: { input: t.arg({ type: CreateStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ plan: await previewStack(ctx.em, ctx.viewer, input) }),
      traceName: 'PreviewStack',
      resourceType: 'stack',
      before: (a) => ({ name: a.input.name }),
      secretKeys: (a, ctx) => secretInputNames(ctx.em.fork(), ctx.viewer, a.input),
      message: (r) => `plan of ${plural(r.plan.steps.length, 'element')}`,
    }),
  }),
  createStack: t.field({
    type: CreateStackSuccess,
    args: { input: t.arg({ type: CreateStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, NameTaken, QuotaExceeded, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => {
        const stack = await createStack(ctx.em, ctx.viewer, ctx.services, input);
        warmTopology(ctx.em, ctx.services.topology, stack);
        return { stack };
      },
      traceName: 'CreateStack',
      resourceType: 'stack',
      before: (a) => ({ name: a.input.name }),
      after: (r) => ({ id: r.stack.id }),
      secretKeys: (a, ctx) => secretInputNames(ctx.em.fork(), ctx.viewer, a.input),
      message: (r) => `stack is ${r.stack.status}${r.stack.action ? ` (${r.stack.action} ${r.stack.actionState ?? ''})`.trimEnd() : ''}`,
    }),
  }),
  previewStackUpdate: t.field({
    type: PreviewStackUpdateSuccess,
    description: 'The plan of an updateStack: per element ADD, MODIFY, REPLACE, DELETE or NO_CHANGE. Nothing is changed.',
    args: { input: t.arg({ type: UpdateStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, InvalidStackState] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ plan: await previewStackUpdate(ctx.em, ctx.viewer, ctx.services.secrets, input) }),
      traceName: 'PreviewStack',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      secretKeys: (a, ctx) => secretInputNames(ctx.em.fork(), ctx.viewer, a.input),
      message: (r) => `plan of ${plural(r.plan.steps.filter((step) => step.change !== 'NO_CHANGE').length, 'change')}`,
    }),
  }),
  updateStack: t.field({
    type: UpdateStackSuccess,
    args: { input: t.arg({ type: UpdateStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, InvalidStackState, StackBusy, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => {
        const stack = await updateStack(ctx.em, ctx.viewer, ctx.services, input);
        warmTopology(ctx.em, ctx.services.topology, stack);
        return { stack };
      },
      traceName: 'UpdateStack',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      after: (r) => ({ name: r.stack.name }),
      secretKeys: (a, ctx) => secretInputNames(ctx.em.fork(), ctx.viewer, a.input),
      message: () => 'update started',
    }),
  }),
  executeStackAction: t.field({
    type: ExecuteStackActionSuccess,
    args: { input: t.arg({ type: ExecuteStackActionInput, required: true }) },
    errors: { types: [NotFound, InvalidStackState, StackBusy, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ stack: await executeStackAction(ctx.em, ctx.viewer, ctx.services.runner, input) }),
      traceName: 'ExecuteStackAction',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      after: (r) => ({ name: r.stack.name }),
      message: (_r, a) => `${a.input.action} started`,
    }),
  }),
  cancelStackAction: t.field({
    type: CancelStackActionSuccess,
    args: { input: t.arg({ type: StackIdInput, required: true }) },
    errors: { types: [NotFound, InvalidStackState] },
    resolve: audited({
      run: async ({ input }, ctx) => ({ stack: await cancelStackAction(ctx.em, ctx.viewer, ctx.services.runner, input.stackId) }),
      traceName: 'ExecuteStackAction',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      after: (r) => ({ name: r.stack.name }),
      message: (r) => `cancellation of ${r.stack.action ?? 'the action'} requested`,
    }),
  }),
  deleteStack: t.field({
    type: DeleteStackSuccess,
    description: 'Starts the delete and returns at once; the stack record goes when its resources are gone (events and audit stay).',
    args: { input: t.arg({ type: DeleteStackInput, required: true }) },
    errors: { types: [NotFound, InvalidStackState, StackBusy, TenantFrozen] },
    resolve: audited({
      run: async ({ input }, ctx) => deleteStack(ctx.em, ctx.viewer, ctx.services.runner, input),
      traceName: 'DeleteStack',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      after: (r) => ({ name: r.name }),
      message: (_r, a) => (a.input.force ? 'force delete started' : 'delete started'),
    }),
  }),
  exportStackInputs: t.field({
    type: ExportStackInputsSuccess,
    args: { input: t.arg({ type: ExportStackInputsInput, required: true }) },
    errors: { types: [NotFound] },
    resolve: audited({
      run: async ({ input }, ctx) => exportStackInputs(ctx.em, ctx.viewer, input),
      traceName: 'ExportStackInputs',
      resourceType: 'stack',
      before: (a) => ({ id: a.input.stackId }),
      after: (r) => ({ name: r.stack.name }),
      message: (_r, a) => `inputs exported as ${a.input.format}`,
    }),
  }),
}));
