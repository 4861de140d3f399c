// Stack use cases: preview, create, update, lifecycle actions, delete, export. Every action runs
// as a workflow started through beginAction and the ActionRunner port; this module checks,
// records and hands over.
import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { dump } from 'js-yaml';
import {
  StackElementSchema,
  StackSchema,
  TemplateSchema,
  TemplateVersionSchema,
  TenantSchema,
  type Cluster,
  type Stack,
  type Template,
  type TemplateVersion,
} from '../db/entities/index.js';
import { Forbidden, InvalidStackState, NameTaken, NotFound, QuotaExceeded, StackBusy, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import { MASK } from '../domain/secrets.js';
import { allowedOperations, isAllowed, DEFAULT_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES, type StackOperation } from '../domain/stack-state.js';
import { publish } from '../events/publish.js';
import { recordStackEvent } from '../events/stack-events.js';
import {
  diffTemplates,
  immutableInputProblems,
  maskResolvedTemplate,
  planTemplate,
  resolveTemplate,
  type ChangeKind,
  type ResolvedTemplate,
  type TemplateDoc,
  type TemplateProblem,
} from '../template/index.js';
import { lookupCluster } from './clusters.js';
import { isUuid, paginate, type Page, type PageArgs } from './pagination.js';
import type { SecretBox } from '../security/secret-box.js';
import { plural } from '../domain/text.js';
import type { ActionRunner } from './action-runner.js';
import { beginAction, cancelAction } from './stack-actions.js';
import { analysisOf, maskedStackInputs } from './stack-views.js';
import { findTemplate, findVersion, lookupTemplate } from './templates.js';
import { checkName } from './tenants.js';
import { assertCanChange, type Viewer } from './viewer.js';

/** What the stack use cases need of the running process. */
export interface StackServices {
  runner: ActionRunner;
  secrets: SecretBox;
}

export interface CreateStackInput {
  name: string;
  description?: string | null;
  templateId?: string | null;
  templateName?: string | null;
  templateVersion?: string | null;
  clusterId?: string | null;
  clusterName?: string | null;
  namespace?: string | null;
  inputs?: unknown;
  timeoutMinutes?: number | null;
  autoRollback?: boolean | null;
  deploy?: boolean | null;
  clientRequestToken?: string | null;
}

export interface UpdateStackInput {
  stackId: string;
  templateVersion?: string | null;
  inputs?: unknown;
  clientRequestToken?: string | null;
}

export type StackActionKind = 'INSTALL' | 'START' | 'STOP' | 'RETRY' | 'ROLLBACK';

export interface PlanStep {
  element: string;
  type: string;
  change: ChangeKind;
  /** Resolved properties, secrets masked; for a DELETE, those of the current stack. */
  properties: Record<string, unknown> | null;
  changedProperties: string[];
  dependsOn: string[];
}

export interface StackPlan {
  steps: PlanStep[];
  problems: TemplateProblem[];
  /** Install waves of the (new) template: each wave's elements run in parallel. */
  waves: string[][];
}

export interface StackFilter {
  status?: Stack['status'] | null;
  name?: string | null;
  templateId?: string | null;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const REQUEST_TOKEN = /^[\x21-\x7e]{1,128}$/;
const MAX_DESCRIPTION = 4096;
export const DEFAULT_NAMESPACE = 'default';

function problemsError(problems: TemplateProblemLike[], what: string): ValidationFailed {
  return new ValidationFailed(`${plural(problems.length, 'problem')} in ${what}`, problems);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Input values arrive as one JSON object, `{ name: value }`. */
function givenInputs(inputs: unknown, problems: TemplateProblemLike[]): Record<string, unknown> {
  if (inputs === undefined || inputs === null) return {};
  if (isRecord(inputs)) return inputs;
  problems.push({ code: 'NOT_A_MAPPING', path: 'inputs', message: 'inputs must be a JSON object of input names to values', hint: '{ "instance": 2 }' });
  return {};
}

function checkRequestToken(token: string | null | undefined, problems: TemplateProblemLike[]): string | null {
  if (token === undefined || token === null) return null;
  if (!REQUEST_TOKEN.test(token)) problems.push({ code: 'INVALID_VALUE', path: 'clientRequestToken', message: 'clientRequestToken must be 1 to 128 printable characters without spaces' });
  return token;
}

/** Secret (password) inputs are sealed at rest; the rest is stored as given. */
function sealSecretInputs(secrets: SecretBox, values: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown> {
  const secretSet = new Set(secretNames);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, secretSet.has(name) && value !== null && value !== undefined ? secrets.seal(value) : value]));
}

function documentOf(version: TemplateVersion, template: Pick<Template, 'name'>): TemplateDoc {
  const analysis = analysisOf(version);
  if (!analysis.valid || !analysis.doc) {
    // Stored versions were valid when created; a catalog change can still invalidate one.
    throw new ValidationFailed(`version "${version.version}" of template "${template.name}" is no longer valid`, analysis.problems);
  }
  return analysis.doc;
}

/** Refuses an operation the stack's state does not allow, the way beginAction would, before any costly check. */
function assertOperationAllowed(stack: Stack, op: StackOperation, busy: 'StackBusy' | 'InvalidStackState'): void {
  const situation = { status: stack.status, action: stack.action ?? null, actionState: stack.actionState ?? null };
  if (isAllowed(op, situation)) return;
  if (stack.status === 'PROCESSING' && busy === 'StackBusy') throw new StackBusy(`stack "${stack.name}" is busy with ${stack.action ?? 'an action'}`);
  throw new InvalidStackState(`${op} is not allowed while stack "${stack.name}" is ${stack.status}`, stack.status, allowedOperations(situation));
}

// --- lookups ------------------------------------------------------------------------------------

/** Another tenant's stack does not exist for this viewer. */
export async function lookupStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack | null> {
  if (ref.id) return isUuid(ref.id) ? em.findOne(StackSchema, { id: ref.id, tenant: viewer.tenantId }) : null;
  if (ref.name) return em.findOne(StackSchema, { name: ref.name, tenant: viewer.tenantId });
  return null;
}

export async function findStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack> {
  const found = await lookupStack(em, viewer, ref);
  if (!found) throw new NotFound('stack', ref.id ?? ref.name ?? '');
  return found;
}

/** The tenant's stacks, newest first. */
export async function listStacks(em: EntityManager, viewer: Viewer, filter: StackFilter, args: PageArgs): Promise<Page<Stack>> {
  const where: Record<string, unknown> = { tenant: viewer.tenantId };
  if (filter.status) where.status = filter.status;
  if (filter.name) where.name = { $ilike: `%${filter.name.replace(/[%_\\]/g, '\\$&')}%` };
  if (filter.templateId) {
    // A malformed id matches nothing rather than failing in the database.
    if (!isUuid(filter.templateId)) return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
    where.template = filter.templateId;
  }
  return paginate(em, StackSchema, where, { createdAt: 'desc', id: 'desc' }, args);
}

export async function templateOfStack(em: EntityManager, stack: Stack): Promise<Template> {
  return em.findOneOrFail(TemplateSchema, { id: stack.template.id });
}

export async function versionOfStack(em: EntityManager, stack: Stack): Promise<TemplateVersion> {
  return em.findOneOrFail(TemplateVersionSchema, { id: stack.templateVersion.id });
}

// --- creation -----------------------------------------------------------------------------------

interface PreparedCreation {
  template: Template;
  version: TemplateVersion;
  cluster: Cluster | null;
  resolved: ResolvedTemplate;
  settings: { name: string; description: string | null; namespace: string; timeoutMinutes: number; autoRollback: boolean; requestToken: string | null };
}

/**
 * Everything createStack and previewStack check, with every problem of the request at once:
 * settings and input values together; unknown template, version or cluster as NotFound.
 */
async function prepareCreation(em: EntityManager, viewer: Viewer, input: CreateStackInput): Promise<PreparedCreation> {
  const problems: TemplateProblemLike[] = [];
  try {
    checkName('stack', input.name);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    problems.push(...error.problems);
  }
  const description = input.description ?? null;
  if (description !== null && description.length > MAX_DESCRIPTION) problems.push({ code: 'TOO_LONG', path: 'description', message: `the description is longer than ${MAX_DESCRIPTION} characters` });
  const namespace = input.namespace ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE.test(namespace)) {
    problems.push({ code: 'INVALID_VALUE', path: 'namespace', message: `namespace "${namespace}" is not a DNS label`, hint: 'lower-case letters, digits and "-", 1 to 63 characters, starting and ending with a letter or digit' });
  }
  const timeoutMinutes = input.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
  if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > MAX_TIMEOUT_MINUTES) {
    problems.push({ code: 'INVALID_VALUE', path: 'timeoutMinutes', message: `timeoutMinutes must be between 1 and ${MAX_TIMEOUT_MINUTES}` });
  }
  const requestToken = checkRequestToken(input.clientRequestToken, problems);
  const given = givenInputs(input.inputs, problems);
  if (!input.templateId && !input.templateName) {
    problems.push({ code: 'MISSING_VALUE', path: 'templateId', message: 'give templateId or templateName' });
    throw problemsError(problems, 'the request');
  }

  const template = await findTemplate(em, viewer, { id: input.templateId, name: input.templateId ? null : input.templateName });
  if (input.templateId && input.templateName && template.name !== input.templateName) {
    problems.push({ code: 'INVALID_VALUE', path: 'templateName', message: `template ${input.templateId} is named "${template.name}", not "${input.templateName}"` });
  }
  const version = await findVersion(em, template, input.templateVersion);
  let cluster: Cluster | null = null;
  if (input.clusterId || input.clusterName) {
    cluster = await lookupCluster(em, viewer, { id: input.clusterId, name: input.clusterId ? null : input.clusterName });
    if (!cluster) throw new NotFound('cluster', input.clusterId ?? input.clusterName ?? '');
  }
  const { resolved, problems: inputProblems } = resolveTemplate(documentOf(version, template), given);
  problems.push(...inputProblems);
  if (problems.length > 0 || !resolved) throw problemsError(problems, 'the request');
  return {
    template,
    version,
    cluster,
    resolved,
    settings: { name: input.name, description, namespace, timeoutMinutes, autoRollback: input.autoRollback ?? true, requestToken },
  };
}

/** Every element as ADD, in install order, secrets masked. */
function creationPlan(resolved: ResolvedTemplate): StackPlan {
  const plan = planTemplate(resolved);
  const shown = maskResolvedTemplate(resolved);
  const steps = [...plan.order, ...plan.blocked].map((name): PlanStep => {
    const node = shown.nodes[name];
    return { element: name, type: node.type, change: 'ADD', properties: node.properties, changedProperties: Object.keys(node.properties).sort(), dependsOn: node.dependencies };
  });
  return { steps, problems: [], waves: plan.waves };
}

/** Previews change nothing and show nothing a reader cannot see: every role may run them, frozen tenants included. */
export async function previewStack(em: EntityManager, viewer: Viewer, input: CreateStackInput): Promise<StackPlan> {
  return creationPlan((await prepareCreation(em, viewer, input)).resolved);
}

/** True while no workflow was ever started for the stack: a replayed create may still install it. */
function neverActed(stack: Stack): boolean {
  return stack.status === 'INITIAL' && !stack.actionWorkflowId;
}

/**
 * Creates a stack (one PENDING element per node template, a STACK_CREATED event) and, unless
 * `deploy: false`, starts its install. With a clientRequestToken the call is idempotent: a
 * repeat returns the stack the first call created, and never starts a second workflow.
 */
export async function createStack(em: EntityManager, viewer: Viewer, services: StackServices, input: CreateStackInput): Promise<Stack> {
  assertCanChange(viewer);
  const deploy = input.deploy ?? true;
  const token = input.clientRequestToken ?? null;
  if (token && REQUEST_TOKEN.test(token)) {
    const earlier = await em.findOne(StackSchema, { tenant: viewer.tenantId, createRequestToken: token });
    if (earlier) return replayCreate(em, services, earlier, input, deploy);
  }
  const prepared = await prepareCreation(em, viewer, input);
  const { settings, resolved } = prepared;
  let outcome: { stackId: string; created: boolean };
  try {
    outcome = await em.transactional(async (tx) => {
      // The tenant row lock serialises creations: the quota holds, and racing requests that carry
      // the same token find the winner's stack here instead of failing on the unique index.
      const tenant = await tx.findOneOrFail(TenantSchema, { id: viewer.tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (token) {
        const twin = await tx.findOne(StackSchema, { tenant, createRequestToken: token });
        if (twin) return { stackId: twin.id, created: false };
      }
      if ((await tx.count(StackSchema, { tenant, name: settings.name })) > 0) throw new NameTaken(`a stack named "${settings.name}" exists already`);
      const used = await tx.count(StackSchema, { tenant });
      if (used >= tenant.quotaStacks) throw new QuotaExceeded(`tenant "${tenant.name}" has ${plural(used, 'stack')}, its quota is ${tenant.quotaStacks}`, tenant.quotaStacks);
      const stack = tx.create(StackSchema, {
        id: randomUUID(),
        tenant,
        name: settings.name,
        description: settings.description,
        template: prepared.template.id,
        templateVersion: prepared.version.id,
        cluster: prepared.cluster?.id ?? null,
        namespace: settings.namespace,
        inputs: sealSecretInputs(services.secrets, resolved.inputs, resolved.secretInputs ?? []),
        status: 'INITIAL',
        autoRollback: settings.autoRollback,
        timeoutMinutes: settings.timeoutMinutes,
        revision: 0,
        createRequestToken: token,
      });
      for (const name of planTemplate(resolved).order) {
        tx.create(StackElementSchema, { id: randomUUID(), stack, name, type: resolved.nodes[name].type, status: 'PENDING', health: 'UNKNOWN' });
      }
      await tx.flush();
      await recordStackEvent(tx, {
        tenantId: viewer.tenantId,
        stackId: stack.id,
        type: 'STACK_CREATED',
        status: 'INITIAL',
        message: `stack created from template "${prepared.template.name}" version ${prepared.version.version} with ${plural(Object.keys(resolved.nodes).length, 'element')}`,
      });
      await publish(tx, 'stack.changed', { tenantId: viewer.tenantId, stackId: stack.id });
      return { stackId: stack.id, created: true };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new NameTaken(`a stack named "${settings.name}" exists already`);
    throw error;
  }
  const stack = await em.findOneOrFail(StackSchema, { id: outcome.stackId }, { refresh: true });
  if (!outcome.created) return replayCreate(em, services, stack, input, deploy);
  if (!deploy) return stack;
  return (await beginAction(em, services.runner, stack, 'INSTALL', { requestToken: token })).stack;
}

/** A createStack repeated with the token of an earlier one: that stack, installed if asked and never started. */
async function replayCreate(em: EntityManager, services: StackServices, stack: Stack, input: CreateStackInput, deploy: boolean): Promise<Stack> {
  if (stack.name !== input.name) {
    throw ValidationFailed.single('TOKEN_REUSED', 'clientRequestToken', `this clientRequestToken created stack "${stack.name}" already`, 'use a new token for a new stack');
  }
  if (!deploy || !neverActed(stack)) return stack;
  try {
    return (await beginAction(em, services.runner, stack, 'INSTALL', { requestToken: input.clientRequestToken ?? null })).stack;
  } catch (error) {
    // The first call (or another repeat) got there in between: its action stands.
    if (error instanceof StackBusy || error instanceof InvalidStackState) return em.findOneOrFail(StackSchema, { id: stack.id }, { refresh: true });
    throw error;
  }
}

// --- update -------------------------------------------------------------------------------------

interface PreparedUpdate {
  stack: Stack;
  target: TemplateVersion;
  /** The new effective inputs, in clear. */
  inputs: Record<string, unknown>;
  secretInputs: string[];
  plan: StackPlan;
}

/**
 * The stack's current inputs overlaid with the given ones, against the current or the named
 * version of its template; immutable inputs must keep their values. A secret input given as the
 * mask ("******", as exportStackInputs writes it) keeps its current value.
 */
async function prepareUpdate(em: EntityManager, secrets: SecretBox, stack: Stack, input: UpdateStackInput): Promise<PreparedUpdate> {
  const problems: TemplateProblemLike[] = [];
  checkRequestToken(input.clientRequestToken, problems);
  const given = givenInputs(input.inputs, problems);
  if (problems.length > 0) throw problemsError(problems, 'the request');
  const template = await templateOfStack(em, stack);
  const current = await versionOfStack(em, stack);
  const target = input.templateVersion ? await findVersion(em, template, input.templateVersion) : current;
  const currentDoc = documentOf(current, template);
  const targetDoc = documentOf(target, template);
  const currentInputs = secrets.openAll(stack.inputs ?? {});

  const targetSpecs = analysisOf(target).inputs;
  const declared = new Set(targetSpecs.map((spec) => spec.name));
  const secretTargets = new Set(targetSpecs.filter((spec) => spec.secret).map((spec) => spec.name));
  // Current values of inputs the target version no longer declares are dropped, not reported.
  const merged: Record<string, unknown> = Object.fromEntries(Object.entries(currentInputs).filter(([name]) => declared.has(name)));
  for (const [name, value] of Object.entries(given)) {
    if (value === MASK && secretTargets.has(name) && name in currentInputs) continue;
    merged[name] = value;
  }
  const next = resolveTemplate(targetDoc, merged);
  if (!next.resolved) throw problemsError(next.problems, 'the inputs');
  const immutable = new Map<string, TemplateProblem>();
  for (const doc of [currentDoc, targetDoc]) for (const problem of immutableInputProblems(doc, currentInputs, next.resolved.inputs)) immutable.set(problem.path, problem);
  if (immutable.size > 0) throw problemsError([...immutable.values()], 'the inputs');

  const before = resolveTemplate(currentDoc, currentInputs);
  if (!before.resolved) throw problemsError(before.problems, "the stack's current inputs");
  return {
    stack,
    target,
    inputs: next.resolved.inputs,
    secretInputs: next.resolved.secretInputs ?? [],
    plan: updatePlan(before.resolved, next.resolved),
  };
}

function updatePlan(before: ResolvedTemplate, after: ResolvedTemplate): StackPlan {
  const shownBefore = maskResolvedTemplate(before);
  const shownAfter = maskResolvedTemplate(after);
  const steps = diffTemplates(before, after).map((change): PlanStep => {
    const node = change.change === 'DELETE' ? shownBefore.nodes[change.element] : shownAfter.nodes[change.element];
    return { ...change, properties: node?.properties ?? null, dependsOn: node?.dependencies ?? [] };
  });
  return { steps, problems: [], waves: planTemplate(after).waves };
}

/** Like previewStack, open to every role. The stack must be able to update now (NORMAL). */
export async function previewStackUpdate(em: EntityManager, viewer: Viewer, secrets: SecretBox, input: UpdateStackInput): Promise<StackPlan> {
  const stack = await findStack(em, viewer, { id: input.stackId });
  assertOperationAllowed(stack, 'UPDATE', 'InvalidStackState');
  return (await prepareUpdate(em, secrets, stack, input)).plan;
}

/** Starts an update from NORMAL; the workflow applies `pendingUpdate` and makes it the stack's revision. */
export async function updateStack(em: EntityManager, viewer: Viewer, services: StackServices, input: UpdateStackInput): Promise<Stack> {
  assertCanChange(viewer);
  const stack = await findStack(em, viewer, { id: input.stackId });
  const token = input.clientRequestToken ?? null;
  if (token && stack.actionRequestToken === token) return stack;
  assertOperationAllowed(stack, 'UPDATE', 'StackBusy');
  const prepared = await prepareUpdate(em, services.secrets, stack, input);
  const pendingUpdate = { templateVersionId: prepared.target.id, inputs: sealSecretInputs(services.secrets, prepared.inputs, prepared.secretInputs) };
  return (await beginAction(em, services.runner, stack, 'UPDATE', { requestToken: token, pendingUpdate })).stack;
}

// --- actions ------------------------------------------------------------------------------------

export async function executeStackAction(
  em: EntityManager,
  viewer: Viewer,
  runner: ActionRunner,
  input: { stackId: string; action: StackActionKind; clientRequestToken?: string | null },
): Promise<Stack> {
  assertCanChange(viewer);
  const problems: TemplateProblemLike[] = [];
  const token = checkRequestToken(input.clientRequestToken, problems);
  if (problems.length > 0) throw problemsError(problems, 'the request');
  const stack = await findStack(em, viewer, { id: input.stackId });
  return (await beginAction(em, runner, stack, input.action, { requestToken: token })).stack;
}

/**
 * Asks the running action to stop; its workflow undoes what it did. Frozen tenants may cancel:
 * stopping a change is never the harm a freeze prevents.
 */
export async function cancelStackAction(em: EntityManager, viewer: Viewer, runner: ActionRunner, stackId: string): Promise<Stack> {
  if (viewer.role === 'VIEWER') throw new Forbidden('the VIEWER role can read but not change anything');
  const stack = await findStack(em, viewer, { id: stackId });
  return cancelAction(em, runner, stack);
}

/** Starts the delete; the workflow removes the record when done (a forced one even if resources remain). */
export async function deleteStack(em: EntityManager, viewer: Viewer, runner: ActionRunner, input: { stackId: string; force?: boolean | null }): Promise<{ stackId: string; name: string }> {
  assertCanChange(viewer);
  const stack = await findStack(em, viewer, { id: input.stackId });
  await beginAction(em, runner, stack, input.force ? 'FORCE_DELETE' : 'DELETE');
  return { stackId: stack.id, name: stack.name };
}

export type InputFormat = 'YAML' | 'JSON';

/** The current inputs as a file to keep or to create a copy from; secrets masked. */
export async function exportStackInputs(em: EntityManager, viewer: Viewer, input: { stackId: string; format: InputFormat }): Promise<{ text: string; stack: Stack }> {
  const stack = await findStack(em, viewer, { id: input.stackId });
  const inputs = await maskedStackInputs(em, stack);
  const text = input.format === 'JSON' ? `${JSON.stringify(inputs, null, 2)}\n` : dump(inputs, { noRefs: true, lineWidth: -1 });
  return { text, stack };
}

// --- audit --------------------------------------------------------------------------------------

/**
 * Names of the password inputs a stack request may carry, for masking the audit record. Never
 * throws: when the template cannot be found, every given input counts as secret.
 */
export async function secretInputNames(
  em: EntityManager,
  viewer: Viewer,
  request: { inputs?: unknown; stackId?: string | null; templateId?: string | null; templateName?: string | null; templateVersion?: string | null },
): Promise<ReadonlySet<string>> {
  const given = isRecord(request.inputs) ? Object.keys(request.inputs) : [];
  if (given.length === 0) return new Set();
  try {
    const versions: TemplateVersion[] = [];
    let template: Template | null = null;
    if (request.stackId) {
      const stack = await lookupStack(em, viewer, { id: request.stackId });
      if (stack) {
        template = await templateOfStack(em, stack);
        versions.push(await versionOfStack(em, stack));
      }
    } else {
      template = await lookupTemplate(em, viewer, { id: request.templateId, name: request.templateId ? null : request.templateName });
    }
    if (!template) return new Set(given);
    if (request.templateVersion || versions.length === 0) versions.push(await findVersion(em, template, request.templateVersion));
    return new Set(versions.flatMap((version) => analysisOf(version).inputs.filter((spec) => spec.secret).map((spec) => spec.name)));
  } catch {
    return new Set(given);
  }
}
