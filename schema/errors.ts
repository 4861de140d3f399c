import {
  type DomainError,
  Forbidden,
  InvalidStackState,
  NameTaken,
  NotFound,
  QuotaExceeded,
  StackBusy,
  TenantFrozen,
  ValidationFailed,
  type TemplateProblemLike,
} from '../src/domain/errors.js';
import { STACK_STATUSES } from '../src/domain/stack-state.js';
import { builder } from './builder.js';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'Every expected failure: a message for people and a stable code for programs.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

export const TemplateProblemRef = builder.objectRef<TemplateProblemLike>('TemplateProblem').implement({
  description: 'One problem in a template (or in inputs), located as precisely as the source allows.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'e.g. UNKNOWN_TYPE, UNDEFINED_INPUT, CYCLE, YAML_TAB' }),
    path: t.exposeString('path', { description: 'e.g. node_templates.nginx-app.properties.instances' }),
    line: t.int({ nullable: true, resolve: (p) => p.line ?? null }),
    column: t.int({ nullable: true, resolve: (p) => p.column ?? null }),
    message: t.exposeString('message'),
    hint: t.string({ nullable: true, resolve: (p) => p.hint ?? null }),
  }),
});

builder.objectType(ValidationFailed, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationFailed,
  fields: (t) => ({
    problems: t.field({ type: [TemplateProblemRef], resolve: (error) => error.problems }),
  }),
});

for (const [errorClass, name] of [
  [NotFound, 'NotFound'],
  [Forbidden, 'Forbidden'],
  [NameTaken, 'NameTaken'],
  [TenantFrozen, 'TenantFrozen'],
] as const) {
  builder.objectType(errorClass, {
    name,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof errorClass,
    fields: () => ({}),
  });
}

builder.objectType(QuotaExceeded, {
  name: 'QuotaExceeded',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof QuotaExceeded,
  fields: (t) => ({ limit: t.exposeInt('limit') }),
});

export const StackStatusEnum = builder.enumType('StackStatus', {
  values: STACK_STATUSES,
});

builder.objectType(StackBusy, {
  name: 'StackBusy',
  description: 'An action runs on the stack: wait for it, or ask one of allowedActions.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof StackBusy,
  fields: (t) => ({
    action: t.exposeString('action', { description: 'The running action, e.g. INSTALL.' }),
    allowedActions: t.exposeStringList('allowedActions', { description: 'What may be asked while it runs, e.g. CANCEL, FORCE_DELETE.' }),
  }),
});

builder.objectType(InvalidStackState, {
  name: 'InvalidStackState',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidStackState,
  fields: (t) => ({
    status: t.field({ type: StackStatusEnum, resolve: (error) => error.stackStatus as typeof StackStatusEnum.$inferType }),
    allowedActions: t.exposeStringList('allowedActions'),
  }),
});

export { InvalidStackState, NameTaken, NotFound, QuotaExceeded, StackBusy, TenantFrozen, ValidationFailed };
