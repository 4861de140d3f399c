// The Stack object type, the types it is made of (elements, outputs, inputs, alarms) and its root
// query fields. What a stack can be asked to do lives in stack-mutations.ts; its live feed in
// stack-subscriptions.ts.
import type { Alarm, Stack } from '../../src/db/entities/index.js';
import { allowedOperations, situationOf } from '../../src/domain/stack-state.js';
import { lookupCluster } from '../../src/services/clusters.js';
import { stackAlarms, stackElements, stackEventPage, stackInputValues, stackOutputs, stackProgress, topologyElements, type ElementView, type InputValueView, type OutputView, type StackProgress } from '../../src/services/stack-views.js';
import { listStacks, lookupStack, templateOfStack, versionOfStack } from '../../src/services/stack-lookups.js';
import { builder } from '../builder.js';
import { StackStatusEnum } from '../errors.js';
import { ClusterRef } from './cluster.js';
import { StackEventRef } from './stack-event.js';
import { StackTopologyRef } from './stack-topology.js';
import { TemplateRef, TemplateVersionRef } from './template.js';

const ElementHealthEnum = builder.enumType('ElementHealth', { values: ['HEALTHY', 'UNKNOWN', 'ABNORMAL'] as const });

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
    dependsOn: t.exposeStringList('dependsOn', { description: 'Elements deployed before this one: its requirements and the nodes its properties read (get_attribute, get_property), as StackPlanStep.dependsOn.' }),
    properties: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Its properties as the template version writes them: functions (get_input, …) unresolved, password defaults and literal secret values masked. Null for an element the version no longer declares.',
      resolve: (element) => element.properties,
    }),
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

const StackProgressRef = builder.objectRef<StackProgress>('StackProgress').implement({
  description: 'How far the running action has come, element by element.',
  fields: (t) => ({
    done: t.exposeInt('done', { description: 'Elements the action has brought to its end status.' }),
    total: t.exposeInt('total', { description: 'Elements of the stack.' }),
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
    progress: t.field({
      type: StackProgressRef,
      nullable: true,
      description: 'While an INSTALL, START, STOP or DELETE runs: its elements done of all. Null otherwise (an UPDATE or a ROLLBACK touches only some elements).',
      resolve: (stack, _args, ctx) => stackProgress(ctx.em, stack),
    }),
    allowedActions: t.stringList({
      description: 'What may be asked of the stack now: INSTALL, UPDATE, START, STOP, DELETE, FORCE_DELETE, CANCEL, RETRY, ROLLBACK.',
      resolve: (stack) => allowedOperations(situationOf(stack)),
    }),
    template: t.field({ type: TemplateRef, resolve: (stack, _a, ctx) => templateOfStack(ctx.em, stack) }),
    templateVersion: t.field({ type: TemplateVersionRef, resolve: (stack, _a, ctx) => versionOfStack(ctx.em, stack) }),
    revision: t.exposeInt('revision', { description: 'Successful installs and updates so far.' }),
    cluster: t.field({
      type: ClusterRef,
      nullable: true,
      resolve: (stack, _a, ctx) => (stack.cluster ? lookupCluster(ctx.em, ctx.viewer, { id: stack.cluster.id }) : null),
    }),
    serviceClusters: t.field({
      type: [ClusterRef],
      description: "Clusters of other kinds the stack's elements are deployed on (those its cluster's kind does not deploy).",
      resolve: async (stack, _a, ctx) => {
        await ctx.em.populate(stack, ['serviceClusters']);
        return stack.serviceClusters.getItems();
      },
    }),
    namespace: t.string({ nullable: true, resolve: (stack) => stack.namespace }),
    inputs: t.field({ type: [StackInputValueRef], description: 'Given values and defaults, in declaration order.', resolve: (stack, _a, ctx) => stackInputValues(ctx.em, stack) }),
    outputs: t.field({ type: [StackOutputRef], resolve: (stack, _a, ctx) => stackOutputs(ctx.em, stack) }),
    elements: t.field({ type: [ElementRef], description: 'In install order.', resolve: (stack, _a, ctx) => stackElements(ctx.em, stack) }),
    topology: t.field({
      type: StackTopologyRef,
      nullable: true,
      description:
        'Where to draw each element (a layered layout, dependencies left of what needs them), computed by the server and cached by the graph’s structure. Null while it cannot be had at once: more elements than a template may hold, the layout queue full, or the layout failed or timed out (draw your own then).',
      resolve: async (stack, _a, ctx) => ctx.services.topology.layout(await topologyElements(ctx.em, stack)),
    }),
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
    deletedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its delete finished (status DELETED); the record is removed once the retention period (AOS_DELETED_STACK_RETENTION_DAYS) has passed.',
      resolve: (stack) => stack.deletedAt ?? null,
    }),
  }),
});

const StackFilter = builder.inputType('StackFilter', {
  fields: (t) => ({
    status: t.field({ type: StackStatusEnum }),
    name: t.string({ description: 'Names containing this text.' }),
    templateId: t.id(),
    includeDeleted: t.boolean({ description: 'Deleted stacks too (status DELETED, kept readable for the retention period); default false. A status filter of DELETED implies it.' }),
  }),
});

builder.queryFields((t) => ({
  stacks: t.connection(
    {
      type: StackRef,
      description: "The tenant's stacks, newest first; deleted ones only with includeDeleted.",
      args: { filter: t.arg({ type: StackFilter }) },
      resolve: (_root, args, ctx) => listStacks(ctx.em, ctx.viewer, args.filter ?? {}, args),
    },
    { name: 'StackConnection' },
    { name: 'StackEdge' },
  ),
  stack: t.field({
    type: StackRef,
    nullable: true,
    description: 'By id any of the tenant\'s stacks, a deleted one too (status DELETED, until its retention ends); by name the live stack of that name.',
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: (_root, args, ctx) => lookupStack(ctx.em, ctx.viewer, args),
  }),
}));
