// The arguments of the stack mutations.
import { builder } from '../builder.js';
import { MAX_SERVICE_CLUSTERS } from '../../src/services/stack-requests.js';

const StackActionKindEnum = builder.enumType('StackActionKind', { values: ['INSTALL', 'START', 'STOP', 'RETRY', 'ROLLBACK'] as const });
const InputFormatEnum = builder.enumType('InputFormat', { values: ['YAML', 'JSON'] as const });

export const CreateStackInput = builder.inputType('CreateStackInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    templateId: t.id(),
    templateName: t.string(),
    templateVersion: t.string({ description: 'default: latest' }),
    clusterId: t.id(),
    clusterName: t.string(),
    serviceClusters: t.stringList({
      description: `Clusters (ids or names) of other kinds, at most one per kind and ${MAX_SERVICE_CLUSTERS} in all, for the elements whose type the stack's cluster does not deploy (e.g. a POSTGRESQL cluster for CTC.RDS.PostgreSQL beside a DOCKER cluster).`,
    }),
    namespace: t.string({ description: 'A DNS label; default "default".' }),
    inputs: t.field({ type: 'JSON', description: '{ name: value }' }),
    timeoutMinutes: t.int({ description: 'default 60, 1..1440' }),
    autoRollback: t.boolean({ description: 'default true' }),
    deploy: t.boolean({ description: 'default true: install right away' }),
    clientRequestToken: t.string({ description: 'Makes the call idempotent: a repeat returns the stack the first call created.' }),
  }),
});
export const UpdateStackInput = builder.inputType('UpdateStackInput', {
  fields: (t) => ({
    stackId: t.id({ required: true }),
    templateVersion: t.string({ description: 'default: the version the stack runs' }),
    inputs: t.field({ type: 'JSON', description: 'Overlaid on the current inputs; null resets an input to its default; "******" keeps a password input.' }),
    clientRequestToken: t.string(),
  }),
});
export const ExecuteStackActionInput = builder.inputType('ExecuteStackActionInput', {
  fields: (t) => ({
    stackId: t.id({ required: true }),
    action: t.field({ type: StackActionKindEnum, required: true }),
    clientRequestToken: t.string({ description: 'Makes the call idempotent: a repeat while (or after) the action runs returns the stack, no second action.' }),
  }),
});
export const StackIdInput = builder.inputType('StackIdInput', {
  fields: (t) => ({ stackId: t.id({ required: true }) }),
});
export const DeleteStackInput = builder.inputType('DeleteStackInput', {
  fields: (t) => ({ stackId: t.id({ required: true }), force: t.boolean({ description: 'Remove the record even if resources cannot be removed (they are listed in an event).' }) }),
});
export const ExportStackInputsInput = builder.inputType('ExportStackInputsInput', {
  fields: (t) => ({ stackId: t.id({ required: true }), format: t.field({ type: InputFormatEnum, required: true }) }),
});
