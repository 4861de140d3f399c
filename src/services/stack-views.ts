// The read side of stacks: what the API shows of a stack (inputs, outputs, elements, events,
// alarms), always with secrets masked, and the live streams subscriptions are fed from.
import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { AlarmSchema, StackElementSchema, StackEventSchema, StackSchema, TemplateVersionSchema, type Alarm, type Stack, type StackEvent, type TemplateVersion } from '../db/entities/index.js';
import { ValidationFailed } from '../domain/errors.js';
import { MASK } from '../domain/secrets.js';
import { analyzeTemplate, documentDependencies, maskAttributes, type TemplateAnalysis } from '../template/index.js';
import type { LiveFeed, LiveTopic } from '../events/live-feed.js';
import type { TopologyElement, TopologyLayouts } from '../topology/layouts.js';
import { DEFAULT_PAGE, MAX_PAGE, isUuid, type Page } from './pagination.js';
import { findReadableStack, versionOfStack } from './stack-lookups.js';
import { shownBodyOf } from './templates.js';
import { SecretBox } from '../security/secret-box.js';
import type { Viewer } from './viewer.js';

// --- template analyses --------------------------------------------------------------------------

/**
 * The parsed and validated documents of template versions, by version id. Versions are immutable,
 * so a few hundred stay cached (least recently used out first): showing a list of stacks must not
 * re-parse the same template for each of them.
 */
const analyses = new LRUCache<string, TemplateAnalysis>({ max: 200 });

export function analysisOf(version: TemplateVersion): TemplateAnalysis {
  const cached = analyses.get(version.id);
  if (cached) return cached;
  const analysis = analyzeTemplate(version.body);
  analyses.set(version.id, analysis);
  return analysis;
}

/** What a version says of each element for showing: its dependencies and its properties as written, secrets masked. */
interface ElementsOfVersion {
  dependsOn: Record<string, string[]>;
  properties: Record<string, Record<string, unknown> | null>;
}

const elementsOfVersions = new LRUCache<string, ElementsOfVersion>({ max: 200 });

/**
 * Dependencies as the plan computes them (requirements plus nodes read through get_attribute /
 * get_property: StackPlanStep.dependsOn), and each node's `properties` from the masked text (the
 * body every role may read: password defaults and literal secret values as the mask; functions
 * such as get_input left unresolved, so no input value is shown here).
 */
function elementsOfVersion(version: TemplateVersion): ElementsOfVersion {
  const cached = elementsOfVersions.get(version.id);
  if (cached) return cached;
  const dependsOn = documentDependencies(analysisOf(version).doc);
  const shown = analyzeTemplate(shownBodyOf(version)).doc as { node_templates?: Record<string, { properties?: unknown } | null> } | null;
  const properties: ElementsOfVersion['properties'] = {};
  for (const [name, node] of Object.entries(shown?.node_templates ?? {})) {
    const value = node?.properties;
    properties[name] = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  }
  const result = { dependsOn, properties };
  elementsOfVersions.set(version.id, result);
  return result;
}

/** Any sealed value ("enc:v1:…"), at any depth, shown as the mask: ciphertext is not for clients either. */
function hideSealed(value: unknown): unknown {
  if (SecretBox.isSealed(value)) return MASK;
  if (Array.isArray(value)) return value.map(hideSealed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, hideSealed(inner)]));
  return value;
}

// --- inputs and outputs -------------------------------------------------------------------------

export interface InputValueView {
  name: string;
  value: unknown;
}

/**
 * The stack's inputs in the template's declaration order (jsonb keeps no order), secret ones
 * masked: those the template declares password/secret and anything stored sealed.
 */
export async function stackInputValues(em: EntityManager, stack: Stack): Promise<InputValueView[]> {
  const specs = analysisOf(await versionOfStack(em, stack)).inputs;
  const secret = new Set(specs.filter((spec) => spec.secret).map((spec) => spec.name));
  const stored = stack.inputs ?? {};
  const names = [...specs.map((spec) => spec.name).filter((name) => name in stored), ...Object.keys(stored).filter((name) => !specs.some((spec) => spec.name === name)).sort()];
  return names.map((name) => {
    const value = stored[name];
    return { name, value: secret.has(name) && value !== null && value !== undefined ? MASK : hideSealed(value) };
  });
}

export async function maskedStackInputs(em: EntityManager, stack: Stack): Promise<Record<string, unknown>> {
  return Object.fromEntries((await stackInputValues(em, stack)).map((input) => [input.name, input.value]));
}

export interface OutputView {
  name: string;
  value: unknown;
  description: string | null;
}

/** Computed outputs after an install; before that, the declared outputs without values. */
export async function stackOutputs(em: EntityManager, stack: Stack): Promise<OutputView[]> {
  const analysis = analysisOf(await versionOfStack(em, stack));
  const declared = analysis.outputs;
  const definitions = analysis.doc?.outputs ?? {};
  const computed = stack.outputs ?? {};
  const names = [...declared, ...Object.keys(computed).filter((name) => !declared.includes(name)).sort()];
  return names.map((name) => {
    const output = computed[name];
    const description = output?.description ?? definitions[name]?.description ?? null;
    if (!output) return { name, value: null, description };
    return { name, value: output.secret === true && output.value !== null && output.value !== undefined ? MASK : hideSealed(output.value), description };
  });
}

// --- elements and alarms ------------------------------------------------------------------------

export interface ElementView {
  name: string;
  type: string;
  status: string;
  statusReason: string | null;
  health: 'HEALTHY' | 'UNKNOWN' | 'ABNORMAL';
  physicalId: string | null;
  attributes: Record<string, unknown> | null;
  /** Elements of the stack's template deployed before this one (requirements and references). */
  dependsOn: string[];
  /** Its properties as the template writes them, secrets masked (null for an element no longer in it). */
  properties: Record<string, unknown> | null;
  updatedAt: Date;
}

/** Elements in the install order of the stack's template (others after them, by name), secret attributes masked. */
export async function stackElements(em: EntityManager, stack: Stack): Promise<ElementView[]> {
  const version = await versionOfStack(em, stack);
  const order = analysisOf(version).elements;
  const declared = elementsOfVersion(version);
  const rank = (name: string) => {
    const index = order.indexOf(name);
    return index === -1 ? order.length : index;
  };
  const rows = await em.find(StackElementSchema, { stack: stack.id }, { orderBy: { name: 'asc' } });
  rows.sort((a, b) => rank(a.name) - rank(b.name));
  return rows.map((row) => ({
    name: row.name,
    type: row.type,
    status: row.status,
    statusReason: row.statusReason ?? null,
    health: row.health,
    physicalId: row.physicalId ?? null,
    attributes: row.attributes ? (hideSealed(maskAttributes(row.type, row.attributes)) as Record<string, unknown>) : null,
    dependsOn: declared.dependsOn[row.name] ?? [],
    properties: (hideSealed(declared.properties[row.name] ?? null) as Record<string, unknown> | null) ?? null,
    updatedAt: row.updatedAt,
  }));
}

/**
 * The graph a stack's topology is laid out from (src/topology/): its version's elements in install
 * order (the order `elements` lists them in) with their dependencies. `versionId` picks another
 * version of the stack's template: the target of an update, laid out before the update ends.
 */
export async function topologyElements(em: EntityManager, stack: Stack, versionId?: string): Promise<TopologyElement[]> {
  const version = versionId ? await em.findOneOrFail(TemplateVersionSchema, { id: versionId }) : await versionOfStack(em, stack);
  const { dependsOn } = elementsOfVersion(version);
  return analysisOf(version).elements.map((name) => ({ name, dependsOn: dependsOn[name] ?? [] }));
}

/**
 * Lays a stack's topology out in the background after a create or an update (the update's target
 * version), so its first view finds it cached. Never fails the caller: a refusal or an error only
 * means the first view computes it (or the console draws its columns).
 */
export function warmTopology(em: EntityManager, layouts: TopologyLayouts, stack: Stack): void {
  topologyElements(em.fork(), stack, stack.pendingUpdate?.templateVersionId).then(
    (elements) => layouts.warm(elements),
    () => undefined,
  );
}

/** The element status each step of an action leaves behind (the worker's element-steps.ts). */
const DONE_STATUS: Partial<Record<string, string>> = {
  INSTALL: 'CREATE_COMPLETE',
  START: 'START_COMPLETE',
  STOP: 'STOPPED',
  DELETE: 'DELETE_COMPLETE',
};

export interface StackProgress {
  done: number;
  total: number;
}

/**
 * How far a running install, start, stop or delete has come: elements at its end status, of all.
 * Null for anything else: an update or a rollback touches only some elements, which their
 * statuses do not tell apart, and a finished action needs no figure (nor a query).
 */
export async function stackProgress(em: EntityManager, stack: Stack): Promise<StackProgress | null> {
  const doneStatus = stack.action ? DONE_STATUS[stack.action] : undefined;
  if (stack.actionState !== 'IN_PROGRESS' || !doneStatus) return null;
  const [total, done] = await Promise.all([em.count(StackElementSchema, { stack: stack.id }), em.count(StackElementSchema, { stack: stack.id, status: doneStatus })]);
  return total === 0 ? null : { done, total };
}

const MAX_ALARMS = 200;

/** Open alarms first, then the most recent cleared ones; each group newest first. */
export async function stackAlarms(em: EntityManager, stack: Stack): Promise<Alarm[]> {
  const open = await em.find(AlarmSchema, { stack: stack.id, clearedAt: null }, { orderBy: { raisedAt: 'desc', id: 'desc' }, limit: MAX_ALARMS });
  const cleared = await em.find(AlarmSchema, { stack: stack.id, clearedAt: { $ne: null } }, { orderBy: { clearedAt: 'desc', id: 'desc' }, limit: Math.max(0, MAX_ALARMS - open.length) });
  return [...open, ...cleared];
}

// --- events -------------------------------------------------------------------------------------

const EVENT_CURSOR = /^seq:(\d{1,18})$/;

/** Event cursors carry the event's sequence number: a total order of everything written, gap-free to resume from. */
export function eventCursor(event: Pick<StackEvent, 'seq'>): string {
  return Buffer.from(`seq:${event.seq}`, 'utf8').toString('base64url');
}

function seqOfCursor(cursor: string, argument: string): number {
  const match = EVENT_CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw ValidationFailed.single('BAD_CURSOR', argument, 'the cursor is not one this list handed out');
  return Number(match[1]);
}

export interface EventPageArgs {
  first?: number | null;
  after?: string | null;
  /** Only events newer than this cursor: how a client that reconnects catches up without gaps. */
  since?: string | null;
}

/** Newest first, keyset on `seq`. `after` pages towards older events, `since` bounds them from below. */
export async function stackEventPage(em: EntityManager, stack: Pick<Stack, 'id'>, args: EventPageArgs): Promise<Page<StackEvent>> {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw ValidationFailed.single('BAD_PAGE', 'first', `first must be between 0 and ${MAX_PAGE}`);
  }
  const seq: { $lt?: number; $gt?: number } = {};
  if (args.after) seq.$lt = seqOfCursor(args.after, 'after');
  if (args.since) seq.$gt = seqOfCursor(args.since, 'since');
  const where = Object.keys(seq).length > 0 ? { stackId: stack.id, seq } : { stackId: stack.id };
  // One row more than asked tells whether there is a next page.
  const rows = await em.find(StackEventSchema, where, { orderBy: { seq: 'desc' }, limit: first + 1 });
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: eventCursor(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

// --- live streams -------------------------------------------------------------------------------

/** A stack's events, routed by tenant and stack; a batch loads in `seq` order (the order they committed, per stack). */
export const stackEventTopic: LiveTopic<'stack.event', StackEvent> = {
  topic: 'stack.event',
  rowIdOf: (payload) => (isUuid(payload.eventId) ? payload.eventId : null),
  keysOfPayload: (payload) => [`${payload.tenantId}/${payload.stackId}`],
  load: (em, ids) => em.find(StackEventSchema, { id: { $in: ids } }, { orderBy: { seq: 'asc' } }),
  idOfRow: (event) => event.id,
  keysOfRow: (event) => [`${event.tenantId}/${event.stackId}`],
};

/** Stacks that changed, routed to watchers of that stack and to watchers of all the tenant's stacks. */
const stackChangeTopic: LiveTopic<'stack.changed', Stack> = {
  topic: 'stack.changed',
  rowIdOf: (payload) => (isUuid(payload.stackId) ? payload.stackId : null),
  keysOfPayload: (payload) => [`stack/${payload.tenantId}/${payload.stackId}`, `tenant/${payload.tenantId}`],
  // A finished delete is announced like any change (status DELETED); a record purged meanwhile is not found and sends nothing.
  load: (em, ids) => em.find(StackSchema, { id: { $in: ids } }),
  idOfRow: (stack) => stack.id,
  keysOfRow: (stack) => [`stack/${stack.tenant.id}/${stack.id}`, `tenant/${stack.tenant.id}`],
};

/** The stack's events as they are written, by any process. Whether the viewer may see them is decided here, once. */
export async function liveStackEvents(em: EntityManager, live: LiveFeed, viewer: Viewer, stackId: string): Promise<AsyncIterableIterator<StackEvent>> {
  // A deleted stack may be watched too (it stays readable), though nothing more will come.
  const stack = await findReadableStack(em, viewer, { id: stackId });
  return live.subscribe(stackEventTopic, `${viewer.tenantId}/${stack.id}`);
}

/** Changes of one stack (`stackId`) or of all the tenant's stacks (null); the end of a delete comes as status DELETED. */
export async function liveStackChanges(em: EntityManager, live: LiveFeed, viewer: Viewer, stackId: string | null): Promise<AsyncIterableIterator<Stack>> {
  if (stackId === null) return live.subscribe(stackChangeTopic, `tenant/${viewer.tenantId}`);
  const stack = await findReadableStack(em, viewer, { id: stackId });
  return live.subscribe(stackChangeTopic, `stack/${viewer.tenantId}/${stack.id}`);
}
