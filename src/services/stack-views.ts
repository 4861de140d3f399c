// The read side of stacks: what the API shows of a stack (inputs, outputs, elements, events,
// alarms), always with secrets masked, and the live streams subscriptions are fed from.
import type { EntityManager } from '@mikro-orm/postgresql';
import { AlarmSchema, StackElementSchema, StackEventSchema, StackSchema, TemplateVersionSchema, type Alarm, type Stack, type StackEvent, type TemplateVersion } from '../db/entities/index.js';
import { NotFound, ValidationFailed } from '../domain/errors.js';
import { MASK } from '../domain/secrets.js';
import { analyzeTemplate, maskAttributes, type TemplateAnalysis } from '../template/index.js';
import type { NotificationListener } from '../events/listener.js';
import { DEFAULT_PAGE, MAX_PAGE, isUuid, type Page } from './pagination.js';
import { SecretBox } from './secret-box.js';
import type { Viewer } from './viewer.js';

// --- template analyses --------------------------------------------------------------------------

const ANALYSIS_CACHE_SIZE = 200;
const analyses = new Map<string, TemplateAnalysis>();

/**
 * The parsed and validated document of a template version. Versions are immutable, so the
 * analysis is cached by id (a few hundred, least recently used out first): showing a list of
 * stacks must not re-parse the same template for each of them.
 */
export function analysisOf(version: TemplateVersion): TemplateAnalysis {
  const cached = analyses.get(version.id);
  if (cached) {
    analyses.delete(version.id);
    analyses.set(version.id, cached);
    return cached;
  }
  const analysis = analyzeTemplate(version.body);
  analyses.set(version.id, analysis);
  if (analyses.size > ANALYSIS_CACHE_SIZE) analyses.delete(analyses.keys().next().value as string);
  return analysis;
}

async function versionOf(em: EntityManager, stack: Stack): Promise<TemplateVersion> {
  return em.findOneOrFail(TemplateVersionSchema, { id: stack.templateVersion.id });
}

/** Any sealed value ("enc:v1:…"), at any depth, shown as the mask: ciphertext is not for clients either. */
export function hideSealed(value: unknown): unknown {
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
  const specs = analysisOf(await versionOf(em, stack)).inputs;
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
  const analysis = analysisOf(await versionOf(em, stack));
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
  updatedAt: Date;
}

/** Elements in the install order of the stack's template (others after them, by name), secret attributes masked. */
export async function stackElements(em: EntityManager, stack: Stack): Promise<ElementView[]> {
  const order = analysisOf(await versionOf(em, stack)).elements;
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
    updatedAt: row.updatedAt,
  }));
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

/**
 * Notifications (ids only) mapped to the rows they announce, reloaded one by one; a row that is
 * gone (a deleted stack) is skipped. Written as an iterator rather than an async generator: a
 * generator waiting for the next notification cannot be returned until one arrives, which would
 * leave the LISTEN handler of a closed subscription in place. Here `return` reaches the source at once.
 */
export function reloadEach<P, R>(source: AsyncIterableIterator<P>, load: (payload: P) => Promise<R | null>): AsyncIterableIterator<R> {
  const finish = async (): Promise<IteratorResult<R>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next(): Promise<IteratorResult<R>> {
      for (;;) {
        const item = await source.next();
        if (item.done) return { value: undefined, done: true };
        const row = await load(item.value);
        if (row !== null) return { value: row, done: false };
      }
    },
    return: finish,
    async throw(error: unknown): Promise<IteratorResult<R>> {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The stack's events as they are written, by any process, reloaded from the database. */
export async function liveStackEvents(em: EntityManager, listener: NotificationListener, viewer: Viewer, stackId: string): Promise<AsyncIterableIterator<StackEvent>> {
  const stack = isUuid(stackId) ? await em.findOne(StackSchema, { id: stackId, tenant: viewer.tenantId }) : null;
  if (!stack) throw new NotFound('stack', stackId);
  const tenantId = viewer.tenantId;
  const notifications = listener.subscribe('stack.event', (p) => p.stackId === stack.id && p.tenantId === tenantId);
  return reloadEach(notifications, (p) => em.fork().findOne(StackEventSchema, { id: p.eventId, tenantId }));
}

/** Changes of one stack (`stackId`) or of all the tenant's stacks (null); a deleted stack is skipped. */
export async function liveStackChanges(em: EntityManager, listener: NotificationListener, viewer: Viewer, stackId: string | null): Promise<AsyncIterableIterator<Stack>> {
  const tenantId = viewer.tenantId;
  if (stackId !== null) {
    const stack = isUuid(stackId) ? await em.findOne(StackSchema, { id: stackId, tenant: tenantId }) : null;
    if (!stack) throw new NotFound('stack', stackId);
  }
  const notifications = listener.subscribe('stack.changed', (p) => p.tenantId === tenantId && (stackId === null || p.stackId === stackId));
  return reloadEach(notifications, (p) => em.fork().findOne(StackSchema, { id: p.stackId, tenant: tenantId }));
}
