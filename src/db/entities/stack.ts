import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { ACTION_STATES, RECORDED_ACTIONS, STACK_STATUSES } from '../../domain/stack-state.js';
import { ClusterSchema } from './cluster.js';
import { TemplateSchema, TemplateVersionSchema } from './template.js';
import { TenantSchema } from './tenant.js';


export const StackSchema = defineEntity({
  name: 'Stack',
  tableName: 'stacks',
  uniques: [
    // Names are unique among live stacks only: a deleted stack (kept for its retention period) leaves its name free.
    { name: 'stacks_tenant_id_name_live_unique', expression: `create unique index "stacks_tenant_id_name_live_unique" on "stacks" ("tenant_id", "name") where "status" <> 'DELETED'` },
    { properties: ['tenant', 'createRequestToken'] },
  ],
  indexes: [{ properties: ['deletedAt'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    tenant: p.manyToOne(TenantSchema).deleteRule('cascade'),
    name: p.string().length(100),
    description: p.text().nullable(),
    template: p.manyToOne(TemplateSchema).deleteRule('restrict'),
    templateVersion: p.manyToOne(TemplateVersionSchema).deleteRule('restrict'),
    cluster: p.manyToOne(ClusterSchema).deleteRule('restrict').nullable(),
    /**
     * Clusters of other kinds, at most one per kind, for the elements whose type the stack's own
     * cluster does not deploy (a POSTGRESQL server beside a Docker engine).
     */
    serviceClusters: p.manyToMany(ClusterSchema).pivotTable('stack_service_clusters'),
    namespace: p.string().length(63).default('default'),
    /** Inputs as given plus defaults; secret inputs' values are encrypted ("enc:v1:…"). */
    inputs: p.json<Record<string, unknown>>(),
    status: p.enum([...STACK_STATUSES]).default('INITIAL'),
    /** The status before the running action, for InvalidStackState and for cancel. */
    previousStatus: p.enum([...STACK_STATUSES]).nullable(),
    action: p.enum([...RECORDED_ACTIONS]).nullable(),
    actionState: p.enum([...ACTION_STATES]).nullable(),
    /** The Temporal workflow of the running or last action. */
    actionWorkflowId: p.string().length(200).nullable(),
    /** What the running update moves to (inputs encrypted like `inputs`); null otherwise. */
    pendingUpdate: p.json<{ templateVersionId: string; inputs: Record<string, unknown> }>().nullable(),
    actionRequestToken: p.string().length(128).nullable(),
    createRequestToken: p.string().length(128).nullable(),
    autoRollback: p.boolean().default(true),
    timeoutMinutes: p.integer().default(60),
    revision: p.integer().default(0),
    outputs: p.json<Record<string, { value: unknown; description?: string; secret?: boolean }>>().nullable(),
    statusReason: p.text().nullable(),
    /** When its delete finished (status DELETED): the maintenance removes the record past retention. */
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  }),
});
export type Stack = InferEntity<typeof StackSchema>;

/**
 * The condition of live stacks: a deleted one (kept readable for its retention period) holds no
 * name, quota, template or cluster.
 */
export const LIVE_STACK = { status: { $ne: 'DELETED' } } as const;

export const StackElementSchema = defineEntity({
  name: 'StackElement',
  tableName: 'stack_elements',
  uniques: [{ properties: ['stack', 'name'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    stack: p.manyToOne(StackSchema).deleteRule('cascade'),
    name: p.string().length(200),
    type: p.string().length(200),
    /** e.g. PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED, DELETE_COMPLETE, STOPPED. */
    status: p.string().length(40).default('PENDING'),
    statusReason: p.text().nullable(),
    health: p.enum(['HEALTHY', 'UNKNOWN', 'ABNORMAL'] as const).default('UNKNOWN'),
    physicalId: p.string().length(512).nullable(),
    /** Deployed attributes; secret ones encrypted ("enc:v1:…"). */
    attributes: p.json<Record<string, unknown>>().nullable(),
    /** The resolved properties it was deployed with (secret values encrypted), for diff and update. */
    properties: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  }),
});
export type StackElement = InferEntity<typeof StackElementSchema>;

/** Events outlive their stack (no foreign key): a deleted stack's history stays readable to audit. */
export const StackEventSchema = defineEntity({
  name: 'StackEvent',
  tableName: 'stack_events',
  indexes: [{ properties: ['stackId', 'seq'] }],
  properties: (p) => ({
    seq: p.bigint('number').primary().autoincrement(),
    id: p.uuid().unique(),
    tenantId: p.uuid(),
    stackId: p.uuid(),
    time: p.datetime().onCreate(() => new Date()),
    type: p.string().length(60),
    element: p.string().length(200).nullable(),
    status: p.string().length(40).nullable(),
    message: p.text(),
  }),
});
export type StackEvent = InferEntity<typeof StackEventSchema>;

export const AlarmSchema = defineEntity({
  name: 'Alarm',
  tableName: 'alarms',
  indexes: [{ properties: ['stack', 'clearedAt'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    stack: p.manyToOne(StackSchema).deleteRule('cascade'),
    element: p.string().length(200).nullable(),
    message: p.text(),
    raisedAt: p.datetime().onCreate(() => new Date()),
    clearedAt: p.datetime().nullable(),
  }),
});
export type Alarm = InferEntity<typeof AlarmSchema>;

/** What every successful install or update applied: enough to restore or copy the stack. */
export const StackRevisionSchema = defineEntity({
  name: 'StackRevision',
  tableName: 'stack_revisions',
  uniques: [{ properties: ['stack', 'number'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    stack: p.manyToOne(StackSchema).deleteRule('cascade'),
    number: p.integer(),
    templateVersion: p.manyToOne(TemplateVersionSchema).deleteRule('restrict'),
    inputs: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
