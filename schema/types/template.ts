import type { Template, TemplateVersion } from '../../src/db/entities/index.js';
import { MASK } from '../../src/domain/secrets.js';
import {
  createTemplate,
  createTemplateVersion,
  deleteTemplate,
  latestVersionOf,
  listTemplates,
  lookupTemplate,
  shownBodyOf,
  versionsOf,
} from '../../src/services/templates.js';
import { analysisOf } from '../../src/services/stack-views.js';
import { analyzeTemplate, maskInputSpecs, maskTemplateBody, type InputSpec, type TemplateAnalysis } from '../../src/template/index.js';
import { audited, type AuditSpec } from '../audited.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { InvalidStackState, NameTaken, NotFound, QuotaExceeded, TemplateProblemRef, TenantFrozen, ValidationFailed } from '../errors.js';

export const TemplateVersionRef = builder.objectRef<TemplateVersion>('TemplateVersion').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    version: t.exposeString('version'),
    body: t.string({
      description: 'The template text as written, with password/secret input defaults and literal secret values (writeOnly properties such as `secrets[].value`) shown as ******.',
      resolve: (v) => shownBodyOf(v),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    inputs: t.field({
      type: [TemplateInputSpecRef],
      description: 'The inputs this version declares, in declaration order (secret defaults masked): what a form or `aos template show` needs.',
      resolve: (v) => analysisOf(v).inputs,
    }),
  }),
});

export const TemplateRef = builder.objectRef<Template>('Template').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (tpl) => tpl.description ?? null }),
    versions: t.field({ type: [TemplateVersionRef], description: 'Oldest first.', resolve: (tpl, _a, ctx) => versionsOf(ctx.em, tpl) }),
    latestVersion: t.field({ type: TemplateVersionRef, resolve: (tpl, _a, ctx) => latestVersionOf(ctx.em, tpl) }),
    createdAt: t.field({ type: 'DateTime', resolve: (tpl) => tpl.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (tpl) => tpl.updatedAt }),
  }),
});

const TemplateInputSpecRef = builder.objectRef<InputSpec>('TemplateInputSpec').implement({
  description: 'A declared input: enough for a client to build a form.',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    default: t.field({ type: 'JSON', nullable: true, resolve: (s) => (s.default === undefined ? null : s.secret ? MASK : s.default) }),
    description: t.string({ nullable: true, resolve: (s) => s.description ?? null }),
    label: t.string({ nullable: true, resolve: (s) => s.label ?? null }),
    constraints: t.field({ type: 'JSON', nullable: true, description: 'For a secret input, the values of `equal` and `valid_values` are masked.', resolve: (s) => maskInputSpecs([s])[0].constraints ?? null }),
    immutable: t.exposeBoolean('immutable'),
    required: t.exposeBoolean('required'),
    secret: t.exposeBoolean('secret'),
  }),
});

const TemplateValidationRef = builder.objectRef<TemplateAnalysis>('TemplateValidation').implement({
  fields: (t) => ({
    valid: t.exposeBoolean('valid'),
    problems: t.field({ type: [TemplateProblemRef], resolve: (a) => a.problems }),
    inputs: t.field({ type: [TemplateInputSpecRef], resolve: (a) => a.inputs }),
    elements: t.exposeStringList('elements', { description: 'In install order.' }),
    outputs: t.exposeStringList('outputs'),
  }),
});

/**
 * `audited` for a mutation whose input carries a template text: the audit record keeps the text
 * with its secrets masked (the request is recorded as given otherwise), the work gets it as given.
 */
function auditedWithShownBody<Input extends { body: string }, Result>(
  spec: AuditSpec<{ input: Input; given: Input }, Result>,
): (root: unknown, args: { input: Input }, ctx: GraphQLContext) => Promise<Result> {
  const run = audited(spec);
  return (root, args, ctx) => run(root, { input: { ...args.input, body: maskTemplateBody(args.input.body) }, given: args.input }, ctx);
}

const CreateTemplateSuccess = builder.objectRef<{ template: Template }>('CreateTemplateSuccess').implement({
  fields: (t) => ({ template: t.field({ type: TemplateRef, resolve: (r) => r.template }) }),
});
const CreateTemplateVersionSuccess = builder.objectRef<{ template: Template }>('CreateTemplateVersionSuccess').implement({
  fields: (t) => ({ template: t.field({ type: TemplateRef, resolve: (r) => r.template }) }),
});
const DeleteTemplateSuccess = builder.objectRef<{ templateId: string; name: string }>('DeleteTemplateSuccess').implement({
  fields: (t) => ({ templateId: t.exposeID('templateId') }),
});

const CreateTemplateInput = builder.inputType('CreateTemplateInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    version: t.string({ required: true }),
    body: t.string({ required: true, description: 'The template text, YAML or JSON.' }),
  }),
});
const CreateTemplateVersionInput = builder.inputType('CreateTemplateVersionInput', {
  fields: (t) => ({ templateId: t.id({ required: true }), version: t.string({ required: true }), body: t.string({ required: true }) }),
});
const DeleteTemplateInput = builder.inputType('DeleteTemplateInput', {
  fields: (t) => ({ templateId: t.id({ required: true }) }),
});

builder.queryFields((t) => ({
  templates: t.connection({
    type: TemplateRef,
    description: "The tenant's templates, newest first.",
    args: { name: t.arg.string({ description: 'Only names containing this text.' }) },
    resolve: (_root, args, ctx) => listTemplates(ctx.em, ctx.viewer, args),
  },
    { name: 'TemplateConnection' },
    { name: 'TemplateEdge' },
  ),
  template: t.field({
    type: TemplateRef,
    nullable: true,
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: (_root, args, ctx) => lookupTemplate(ctx.em, ctx.viewer, args),
  }),
  validateTemplate: t.field({
    type: TemplateValidationRef,
    description: 'Checks a template without storing anything: every problem, the declared inputs, the install order.',
    args: { body: t.arg.string({ required: true }) },
    // A body over the size limit is refused by the parser before it reads anything (TOO_LARGE).
    resolve: (_root, { body }) => analyzeTemplate(body),
  }),
}));

builder.mutationFields((t) => ({
  createTemplate: t.field({
    type: CreateTemplateSuccess,
    args: { input: t.arg({ type: CreateTemplateInput, required: true }) },
    errors: { types: [ValidationFailed, NameTaken, QuotaExceeded, TenantFrozen] },
    resolve: auditedWithShownBody({
      run: async ({ input, given }, ctx) => ({ template: await createTemplate(ctx.em, ctx.viewer, { ...given, shownBody: input.body }) }),
      traceName: 'CreateTemplate', resourceType: 'template', before: (a) => ({ name: a.input.name }), after: (r) => ({ id: r.template.id }),
    }),
  }),
  createTemplateVersion: t.field({
    type: CreateTemplateVersionSuccess,
    args: { input: t.arg({ type: CreateTemplateVersionInput, required: true }) },
    errors: { types: [ValidationFailed, NotFound, NameTaken, TenantFrozen] },
    resolve: auditedWithShownBody({
      run: async ({ input, given }, ctx) => ({ template: await createTemplateVersion(ctx.em, ctx.viewer, { ...given, shownBody: input.body }) }),
      traceName: 'UpdateTemplate',
        resourceType: 'template',
        before: (a) => ({ id: a.input.templateId }),
        after: (r) => ({ name: r.template.name }),
        message: (_r, a) => `version ${a.input.version} added`,
    }),
  }),
  deleteTemplate: t.field({
    type: DeleteTemplateSuccess,
    args: { input: t.arg({ type: DeleteTemplateInput, required: true }) },
    errors: { types: [NotFound, TenantFrozen, InvalidStackState] },
    resolve: audited({
      run: async ({ input }, ctx) => {
        const gone = await deleteTemplate(ctx.em, ctx.viewer, input.templateId);
        return { templateId: gone.id, name: gone.name };
      },
      traceName: 'DeleteTemplate', resourceType: 'template', before: (a) => ({ id: a.input.templateId }), after: (r) => ({ id: r.templateId, name: r.name }),
    }),
  }),
}));
