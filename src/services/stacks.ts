// Stack use cases that change something: create, update, lifecycle actions, cancel, delete, and
// export of inputs. Requests are checked by stack-requests.ts; every action runs as a workflow
// started through beginAction and the ActionRunner port; this module records and hands over.
import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { dump } from 'js-yaml';
import { LIVE_STACK, StackElementSchema, StackSchema, TenantSchema, type Stack, type Template, type TemplateVersion } from '../db/entities/index.js';
import { Forbidden, InvalidStackState, NameTaken, QuotaExceeded, StackBusy, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import { plural } from '../domain/text.js';
import { publish } from '../events/publish.js';
import { recordStackEvent } from '../events/stack-events.js';
import type { SecretBox } from '../security/secret-box.js';
import { planTemplate } from '../template/index.js';
import type { ActionRunner } from './action-runner.js';
import { assertOperationAllowed, beginAction, cancelAction } from './stack-actions.js';
import { findStack, lookupStack, templateOfStack, versionOfStack } from './stack-lookups.js';
import { checkRequestToken, isRecord, prepareCreation, prepareUpdate, problemsError, REQUEST_TOKEN, sealSecretInputs, type CreateStackInput, type UpdateStackInput } from './stack-requests.js';
import { analysisOf, maskedStackInputs } from './stack-views.js';
import { findVersion, lookupTemplate } from './templates.js';
import { assertCanChange, type Viewer } from './viewer.js';

export interface StackServices {
  runner: ActionRunner;
  secrets: SecretBox;
}

export type StackActionKind = 'INSTALL' | 'START' | 'STOP' | 'RETRY' | 'ROLLBACK';


// --- creation -----------------------------------------------------------------------------------

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
      // Deleted stacks (kept readable for a while) neither hold their name nor count against the quota.
      if ((await tx.count(StackSchema, { tenant, name: settings.name, ...LIVE_STACK })) > 0) throw new NameTaken(`a stack named "${settings.name}" exists already`);
      const used = await tx.count(StackSchema, { tenant, ...LIVE_STACK });
      if (used >= tenant.quotaStacks) throw new QuotaExceeded(`tenant "${tenant.name}" has ${plural(used, 'stack')}, its quota is ${tenant.quotaStacks}`, tenant.quotaStacks);
      const stack = tx.create(StackSchema, {
        id: randomUUID(),
        tenant,
        name: settings.name,
        description: settings.description,
        template: prepared.template.id,
        templateVersion: prepared.version.id,
        cluster: prepared.cluster?.id ?? null,
        serviceClusters: prepared.serviceClusters.map((cluster) => cluster.id),
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

/** Starts an update from NORMAL; the workflow applies `pendingUpdate` and makes it the stack's revision. */
export async function updateStack(em: EntityManager, viewer: Viewer, services: StackServices, input: UpdateStackInput): Promise<Stack> {
  assertCanChange(viewer);
  const stack = await findStack(em, viewer, { id: input.stackId });
  const token = input.clientRequestToken ?? null;
  if (token && stack.actionRequestToken === token) return stack;
  assertOperationAllowed(stack, 'UPDATE');
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

/**
 * Starts the delete; when done the workflow marks the record DELETED (a forced one even if
 * resources remain), readable until the maintenance removes it past retention.
 */
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
