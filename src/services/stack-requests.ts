// Checking stack requests before anything is stored or started: settings, template, version,
// cluster and input values, every problem of a request at once; and the state a request needs.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cluster, Stack, Template, TemplateVersion } from '../db/entities/index.js';
import { NotFound, ValidationFailed, type TemplateProblemLike } from '../domain/errors.js';
import { MASK } from '../domain/secrets.js';
import { DEFAULT_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES } from '../domain/stack-state.js';
import { plural } from '../domain/text.js';
import type { SecretBox } from '../security/secret-box.js';
import { immutableInputProblems, resolveTemplate, type ResolvedTemplate, type TemplateDoc, type TemplateProblem } from '../template/index.js';
import { lookupCluster } from './clusters.js';
import { isUuid } from './pagination.js';
import { templateOfStack, versionOfStack } from './stack-lookups.js';
import { analysisOf } from './stack-views.js';
import { findTemplate, findVersion } from './templates.js';
import { checkName } from './tenants.js';
import type { Viewer } from './viewer.js';

export interface CreateStackInput {
  name: string;
  description?: string | null;
  templateId?: string | null;
  templateName?: string | null;
  templateVersion?: string | null;
  clusterId?: string | null;
  clusterName?: string | null;
  serviceClusters?: readonly string[] | null;
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

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const REQUEST_TOKEN = /^[\x21-\x7e]{1,128}$/;
const MAX_DESCRIPTION = 4096;
const DEFAULT_NAMESPACE = 'default';

export function problemsError(problems: TemplateProblemLike[], what: string): ValidationFailed {
  return new ValidationFailed(`${plural(problems.length, 'problem')} in ${what}`, problems);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Input values arrive as one JSON object, `{ name: value }`. */
function givenInputs(inputs: unknown, problems: TemplateProblemLike[]): Record<string, unknown> {
  if (inputs === undefined || inputs === null) return {};
  if (isRecord(inputs)) return inputs;
  problems.push({ code: 'NOT_A_MAPPING', path: 'inputs', message: 'inputs must be a JSON object of input names to values', hint: '{ "instance": 2 }' });
  return {};
}

export function checkRequestToken(token: string | null | undefined, problems: TemplateProblemLike[]): string | null {
  if (token === undefined || token === null) return null;
  if (!REQUEST_TOKEN.test(token)) problems.push({ code: 'INVALID_VALUE', path: 'clientRequestToken', message: 'clientRequestToken must be 1 to 128 printable characters without spaces' });
  return token;
}

/** Secret (password) inputs are sealed at rest; the rest is stored as given. */
export function sealSecretInputs(secrets: SecretBox, values: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown> {
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

/**
 * "******" is what AOS shows in place of a password, never one: a copy made from an export would
 * otherwise run with the mask as its password.
 */
function maskGiven(name: string, request: 'create' | 'update'): TemplateProblemLike {
  return {
    code: 'MASKED_VALUE',
    path: `inputs.${name}`,
    message: `"${MASK}" is the mask AOS shows in place of the password input ${name}, not a value`,
    hint: request === 'create' ? 'give the password itself, or copy a stack with its secrets with cloneStack (aos stack clone)' : 'give the new password, or leave the input out to keep the current one',
  };
}

// --- service clusters ---------------------------------------------------------------------------

/** A stack needs a cluster per kind it deploys on: a handful at most. */
export const MAX_SERVICE_CLUSTERS = 4;

/** The viewer's clusters named by id or name, one per kind and none of the stack cluster's kind. */
async function lookupServiceClusters(em: EntityManager, viewer: Viewer, own: Cluster | null, references: readonly string[], problems: TemplateProblemLike[]): Promise<Cluster[]> {
  if (references.length === 0) return [];
  const path = 'serviceClusters';
  if (references.length > MAX_SERVICE_CLUSTERS) {
    problems.push({ code: 'INVALID_VALUE', path, message: `at most ${MAX_SERVICE_CLUSTERS} service clusters may be given (one per kind)` });
    return [];
  }
  if (!own) problems.push({ code: 'MISSING_VALUE', path: 'clusterId', message: 'service clusters need the stack\'s own cluster (clusterId or clusterName)' });
  const found: Cluster[] = [];
  for (const [index, reference] of references.entries()) {
    const cluster = await lookupCluster(em, viewer, isUuid(reference) ? { id: reference } : { name: reference });
    if (!cluster) throw new NotFound('cluster', reference);
    const twin = found.find((other) => other.kind === cluster.kind);
    const clash = own?.kind === cluster.kind ? 'the stack\'s own cluster' : twin ? `"${twin.name}"` : null;
    if (clash) problems.push({ code: 'INVALID_VALUE', path: `${path}[${index}]`, message: `cluster "${cluster.name}" is ${cluster.kind}, like ${clash}: one cluster per kind` });
    else found.push(cluster);
  }
  return found;
}

// --- creation -----------------------------------------------------------------------------------

export interface PreparedCreation {
  template: Template;
  version: TemplateVersion;
  cluster: Cluster | null;
  serviceClusters: Cluster[];
  resolved: ResolvedTemplate;
  settings: { name: string; description: string | null; namespace: string; timeoutMinutes: number; autoRollback: boolean; requestToken: string | null };
}

/**
 * Everything createStack and previewStack check, with every problem of the request at once:
 * settings and input values together; unknown template, version or cluster as NotFound.
 */
export async function prepareCreation(em: EntityManager, viewer: Viewer, input: CreateStackInput): Promise<PreparedCreation> {
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
  const serviceClusters = await lookupServiceClusters(em, viewer, cluster, input.serviceClusters ?? [], problems);
  const { resolved, problems: inputProblems } = resolveTemplate(documentOf(version, template), given);
  problems.push(...inputProblems);
  for (const name of resolved?.secretInputs ?? []) if (given[name] === MASK) problems.push(maskGiven(name, 'create'));
  if (problems.length > 0 || !resolved) throw problemsError(problems, 'the request');
  return {
    template,
    version,
    cluster,
    serviceClusters,
    resolved,
    settings: { name: input.name, description, namespace, timeoutMinutes, autoRollback: input.autoRollback ?? true, requestToken },
  };
}

// --- update -------------------------------------------------------------------------------------

export interface PreparedUpdate {
  stack: Stack;
  target: TemplateVersion;
  /** The new effective inputs, in clear. */
  inputs: Record<string, unknown>;
  secretInputs: string[];
  /** The stack as it is and as it will be, resolved: what a plan compares. */
  before: ResolvedTemplate;
  after: ResolvedTemplate;
}

/**
 * The stack's current inputs overlaid with the given ones, against the current or the named
 * version of its template; immutable inputs must keep their values. A secret input given as the
 * mask ("******", as exportStackInputs writes it) keeps its current value.
 */
export async function prepareUpdate(em: EntityManager, secrets: SecretBox, stack: Stack, input: UpdateStackInput): Promise<PreparedUpdate> {
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
    if (value === MASK && secretTargets.has(name)) {
      // The mask keeps the value in use; with none in use it would become the password itself.
      if (name in currentInputs && currentInputs[name] !== null && currentInputs[name] !== undefined) continue;
      throw problemsError([maskGiven(name, 'update')], 'the inputs');
    }
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
    before: before.resolved,
    after: next.resolved,
  };
}
