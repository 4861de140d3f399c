import type { Alarm, Stack } from '../../src/db/entities/index.js';
import { allowedOperations } from '../../src/domain/stack-state.js';
import { lookupCluster } from '../../src/services/clusters.js';
import {
  liveStackChanges,
  stackAlarms,
  stackElements,
  stackEventPage,
  stackInputValues,
  stackOutputs,
  type ElementView,
  type InputValueView,
  type OutputView,
} from '../../src/services/stack-views.js';
import {
  cancelStackAction,
  createStack,
  deleteStack,
  executeStackAction,
  exportStackInputs,
  listStacks,
  lookupStack,
  previewStack,
  previewStackUpdate,
  secretInputNames,
  templateOfStack,
  updateStack,
  versionOfStack,
  type PlanStep,
  type StackPlan,
} from '../../src/services/stacks.js';
import { audited } from '../audited.js';
import { builder } from '../builder.js';
import {
  Forbidden,
  InvalidStackState,
  NameTaken,
  NotFound,
  QuotaExceeded,
  StackBusy,
  StackStatusEnum,
  TemplateProblemRef,
  TenantFrozen,
  ValidationFailed,
} from '../errors.js';
import { ClusterRef } from './cluster.js';
import { StackEventRef } from './stack-event.js';
import { TemplateRef, TemplateVersionRef } from './template.js';
import { plural } from '../../src/domain/text.js';

const ElementHealthEnum = builder.enumType('ElementHealth', { values: ['HEALTHY', 'UNKNOWN', 'ABNORMAL'] as const });
const StackActionKindEnum = builder.enumType('StackActionKind', { values: ['INSTALL', 'START', 'STOP', 'RETRY', 'ROLLBACK'] as const });
const InputFormatEnum = builder.enumType('InputFormat', { values: ['YAML', 'JSON'] as const });

const ElementRef = builder.objectRef<ElementView>('Element').implement({
  description: 'One deployed part of a stack (a node template of its template).',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    status: t.exposeString('status', { description: 'e.g. PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED, STOPPED' }),
    statusReason: t.string({ nullable: true, resolve: (element) => element.statusReason }),
    health: t.field({ type: ElementHealthEnum, resolve: (element) => element.health }),
    physicalId: t.string({ nullable: true, resolve: (element) => element.physicalId }),
    attributes: t.field({ type: 'JSON', nullable: true, description: 'Secret attributes masked.', resolve: (element) => element.attributes }),
    updatedAt: t.field({ type: 'DateTime', resolve: (element) => element.updatedAt }),
  }),
});

const StackOutputRef = builder.objectRef<OutputView>('StackOutput').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.field({ type: 'JSON', nullable: true, description: 'Null until computed; secret values masked.', resolve: (output) => output.value }),
    description: t.string({ nullable: true, resolve: (output) => output.description }),
  }),
});

const StackInputValueRef = builder.objectRef<InputValueView>('StackInputValue').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.field({ type: 'JSON', nullable: true, description: 'Password inputs masked.', resolve: (input) => input.value }),
  }),
});

const AlarmRef = builder.objectRef<Alarm>('Alarm').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    element: t.string({ nullable: true, resolve: (alarm) => alarm.element ?? null }),
    message: t.exposeString('message'),
    raisedAt: t.field({ type: 'DateTime', resolve: (alarm) => alarm.raisedAt }),
    clearedAt: t.field({ type: 'DateTime', nullable: true, resolve: (alarm) => alarm.clearedAt ?? null }),
  }),
});

export const StackRef = builder.objectRef<Stack>('Stack');
StackRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (stack) => stack.description ?? null }),
    status: t.field({ type: StackStatusEnum, resolve: (stack) => stack.status }),
    statusReason: t.string({ nullable: true, description: 'Why the stack is in its status (e.g. the failure of the last action).', resolve: (stack) => stack.statusReason ?? null }),
    action: t.string({ nullable: true, description: 'Current or last action: INSTALL, UPDATE, START, STOP, DELETE, ROLLBACK.', resolve: (stack) => stack.action ?? null }),
    actionState: t.string({ nullable: true, description: 'IN_PROGRESS, COMPLETE or FAILED.', resolve: (stack) => stack.actionState ?? null }),
    allowedActions: t.stringList({
      description: 'What may be asked of the stack now: INSTALL, UPDATE, START, STOP, DELETE, FORCE_DELETE, CANCEL, RETRY, ROLLBACK.',
      resolve: (stack) => allowedOperations({ status: stack.status, action: stack.action ?? null, actionState: stack.actionState ?? null }),
    }),
    template: t.field({ type: TemplateRef, resolve: (stack, _a, ctx) => templateOfStack(ctx.em, stack) }),
    templateVersion: t.field({ type: TemplateVersionRef, resolve: (stack, _a, ctx) => versionOfStack(ctx.em, stack) }),
    revision: t.exposeInt('revision', { description: 'Successful installs and updates so far.' }),
    cluster: t.field({
      type: ClusterRef,
      nullable: true,
      resolve: (stack, _a, ctx) => (stack.cluster ? lookupCluster(ctx.em, ctx.viewer, { id: stack.cluster.id }) : null),
    }),
    namespace: t.string({ nullable: true, resolve: (stack) => stack.namespace }),
    inputs: t.field({ type: [StackInputValueRef], description: 'Given values and defaults, in declaration order.', resolve: (stack, _a, ctx) => stackInputValues(ctx.em, stack) }),
    outputs: t.field({ type: [StackOutputRef], resolve: (stack, _a, ctx) => stackOutputs(ctx.em, stack) }),
    elements: t.field({ type: [ElementRef], description: 'In install order.', resolve: (stack, _a, ctx) => stackElements(ctx.em, stack) }),
    events: t.connection(
      {
        type: StackEventRef,
        description: 'Newest first.',
        args: { since: t.arg.string({ description: 'A cursor: only events newer than that one (to catch up after a reconnect, without gaps).' }) },
        resolve: (stack, args, ctx) => stackEventPage(ctx.em, stack, args),
      },
      { name: 'StackEventConnection' },
      { name: 'StackEventEdge' },
    ),
    alarms: t.field({ type: [AlarmRef], description: 'Open alarms first, newest first.', resolve: (stack, _a, ctx) => stackAlarms(ctx.em, stack) }),
    autoRollback: t.exposeBoolean('autoRollback'),
    timeoutMinutes: t.exposeInt('timeoutMinutes'),
    createdAt: t.field({ type: 'DateTime', resolve: (stack) => stack.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (stack) => stack.updatedAt }),
  }),
});

const StackPlanStepRef = builder.objectRef<PlanStep>('StackPlanStep').implement({
  fields: (t) => ({
    element: t.exposeString('element'),
    type: t.exposeString('type'),
    change: t.exposeString('change', { description: 'ADD, MODIFY (in place), REPLACE, DELETE or NO_CHANGE' }),
    properties: t.field({ type: 'JSON', nullable: true, description: 'Resolved properties, secrets masked (for DELETE: the current ones).', resolve: (step) => step.properties }),
    changedProperties: t.exposeStringList('changedProperties', { description: 'Top-level properties that change; `requirements.<name>` for a changed requirement.' }),
    dependsOn: t.exposeStringList('dependsOn', { description: 'Elements deployed before this one.' }),
  }),
});

const StackPlanRef = builder.objectRef<StackPlan>('StackPlan').implement({
  description: 'What an action would do, nothing deployed.',
  fields: (t) => ({
    steps: t.field({ type: [StackPlanStepRef], description: 'In install order; deleted elements last, in delete order.', resolve: (plan) => plan.steps }),
    problems: t.field({ type: [TemplateProblemRef], resolve: (plan) => plan.problems }),
    waves: t.field({ type: t.listRef(t.listRef('String')), description: 'Install waves: the elements of one wave are deployed in parallel.', resolve: (plan) => plan.waves }),
  }),
});

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

const CreateStackInput = builder.inputType('CreateStackInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    templateId: t.id(),
    templateName: t.string(),
    templateVersion: t.string({ description: 'default: latest' }),
    clusterId: t.id(),
    clusterName: t.string(),
    namespace: t.string({ description: 'A DNS label; default "default".' }),
    inputs: t.field({ type: 'JSON', description: '{ name: value }' }),
    timeoutMinutes: t.int({ description: 'default 60, 1..1440' }),
    autoRollback: t.boolean({ description: 'default true' }),
    deploy: t.boolean({ description: 'default true: install right away' }),
    clientRequestToken: t.string({ description: 'Makes the call idempotent: a repeat returns the stack the first call created.' }),
  }),
});
const UpdateStackInput = builder.inputType('UpdateStackInput', {
  fields: (t) => ({
    stackId: t.id({ required: true }),
    templateVersion: t.string({ description: 'default: the version the stack runs' }),
    inputs: t.field({ type: 'JSON', description: 'Overlaid on the current inputs; null resets an input to its default; "******" keeps a password input.' }),
    clientRequestToken: t.string(),
  }),
});
const ExecuteStackActionInput = builder.inputType('ExecuteStackActionInput', {
  fields: (t) => ({
    stackId: t.id({ required: true }),
    action: t.field({ type: StackActionKindEnum, required: true }),
    clientRequestToken: t.string({ description: 'Makes the call idempotent: a repeat while (or after) the action runs returns the stack, no second action.' }),
  }),
});
const StackIdInput = builder.inputType('StackIdInput', {
  fields: (t) => ({ stackId: t.id({ required: true }) }),
});
const DeleteStackInput = builder.inputType('DeleteStackInput', {
  fields: (t) => ({ stackId: t.id({ required: true }), force: t.boolean({ description: 'Remove the record even if resources cannot be removed (they are listed in an event).' }) }),
});
const ExportStackInputsInput = builder.inputType('ExportStackInputsInput', {
  fields: (t) => ({ stackId: t.id({ required: true }), format: t.field({ type: InputFormatEnum, required: true }) }),
});
const StackFilter = builder.inputType('StackFilter', {
  fields: (t) => ({
    status: t.field({ type: StackStatusEnum }),
    name: t.string({ description: 'Names containing this text.' }),
    templateId: t.id(),
  }),
});

builder.queryFields((t) => ({
  stacks: t.connection(
    {
      type: StackRef,
      description: "The tenant's stacks, newest first.",
      args: { filter: t.arg({ type: StackFilter }) },
      resolve: (_root, args, ctx) => listStacks(ctx.em, ctx.viewer, args.filter ?? {}, args),
    },
    { name: 'StackConnection' },
    { name: 'StackEdge' },
  ),
  stack: t.field({
    type: StackRef,
    nullable: true,
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: (_root, args, ctx) => lookupStack(ctx.em, ctx.viewer, args),
  }),
}));

builder.mutationFields((t) => ({
  previewStack: t.field({
    type: PreviewStackSuccess,
    description: 'The plan of a createStack: every element as ADD in install order, resolved properties (secrets masked). Nothing is stored.',
    args: { input: t.arg({ type: CreateStackInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, Forbidden], union: { name: 'PreviewStackResult' } },
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
    errors: { types: [ValidationFailed, NotFound, NameTaken, QuotaExceeded, TenantFrozen, Forbidden], union: { name: 'CreateStackResult' } },
    resolve: audited({
      run: async ({ input }, ctx) => ({ stack: await createStack(ctx.em, ctx.viewer, ctx.services, input) }),
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
    errors: { types: [ValidationFailed, NotFound, InvalidStackState, Forbidden], union: { name: 'PreviewStackUpdateResult' } },
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
    errors: { types: [ValidationFailed, NotFound, InvalidStackState, StackBusy, TenantFrozen, Forbidden], union: { name: 'UpdateStackResult' } },
    resolve: audited({
      run: async ({ input }, ctx) => ({ stack: await updateStack(ctx.em, ctx.viewer, ctx.services, input) }),
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
    errors: { types: [NotFound, InvalidStackState, StackBusy, TenantFrozen, Forbidden], union: { name: 'ExecuteStackActionResult' } },
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
    errors: { types: [NotFound, InvalidStackState, Forbidden], union: { name: 'CancelStackActionResult' } },
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
    errors: { types: [NotFound, InvalidStackState, StackBusy, TenantFrozen, Forbidden], union: { name: 'DeleteStackResult' } },
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
    errors: { types: [NotFound, Forbidden], union: { name: 'ExportStackInputsResult' } },
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

builder.subscriptionFields((t) => ({
  stackChanged: t.field({
    type: StackRef,
    description: 'The stack each time its status, action or elements change.',
    args: { stackId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => liveStackChanges(ctx.em, ctx.services.live, ctx.viewer, args.stackId),
    resolve: (stack: Stack) => stack,
  }),
  stacksChanged: t.field({
    type: StackRef,
    description: "Any of the tenant's stacks, each time one changes.",
    subscribe: (_root, _args, ctx) => liveStackChanges(ctx.em, ctx.services.live, ctx.viewer, null),
    resolve: (stack: Stack) => stack,
  }),
}));
