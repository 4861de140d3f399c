import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { AosConfig } from '../../../config.js';
import {
  StackElementSchema,
  StackRevisionSchema,
  StackSchema,
  TemplateVersionSchema,
  type Stack,
  type StackElement,
} from '../../../db/entities/index.js';
import {
  ELEMENT_STEP_MAX_ATTEMPTS,
  type ActionPlan,
  type ElementStep,
  type FinishRequest,
  type TemplateSource,
} from '../../../domain/lifecycle.js';
import { statusAfterFailure, type RecordedAction, type StackStatus } from '../../../domain/stack-state.js';
import { listOwnedObjects } from '../../../drivers/docker/index.js';
import { driverFor, type DriverRegistry } from '../../../drivers/registry.js';
import { PermanentDriverError, type ElementContext, type ElementState, type RequiredNode } from '../../../drivers/types.js';
import { publish } from '../../../events/publish.js';
import { actionLabel, outcomeLabel, type WorkerMetrics } from '../../../observability/metrics.js';
import { addStackEvent, commitStackChanges, recordStackEvent } from '../../../events/stack-events.js';
import { clusterTargetOf } from '../../../clusters/cluster-target.js';
import type { SecretBox } from '../../../security/secret-box.js';
import { analyzeTemplate, diffTemplates, evaluateDeferred, getNodeType, planTemplate, resolveTemplate, type ResolvedTemplate } from '../../../template/index.js';

export interface StackActivityDeps {
  orm: MikroORM;
  config: AosConfig;
  drivers: DriverRegistry;
  secrets: SecretBox;
  /** Length of one "minute" of a stack's timeout; tests shrink it to see a timeout fire. */
  timeoutUnitMs?: number;
  /** Elements of one wave deployed at once (AOS_ELEMENT_PARALLELISM, default 10). */
  parallelism?: number;
  /** Health checks every this many ms after an action (0: none). */
  monitorIntervalMs?: number;
  /**
   * Action counters. Counted once the activity's writes are done (just before it returns), so a
   * retried activity counts once: only its successful attempt gets there.
   */
  metrics?: WorkerMetrics;
}

const DEPLOYED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'START_COMPLETE', 'STOPPED', 'STOP_FAILED', 'START_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED']);
const HEARTBEAT_EVERY_MS = 1000;

/** Resolved templates are pure functions of (version, inputs): cache a few per process. */
class ResolvedCache {
  private readonly entries = new Map<string, ResolvedTemplate>();
  constructor(private readonly limit = 64) {}
  async get(key: string, compute: () => Promise<ResolvedTemplate>): Promise<ResolvedTemplate> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = await compute();
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

function permanent(message: string, type = 'StackPermanent'): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Keeps the activity alive (and cancellable) while a driver waits without heartbeating itself. */
async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createStackActivities(deps: StackActivityDeps) {
  const cache = new ResolvedCache();
  const minuteMs = deps.timeoutUnitMs ?? 60_000;
  const parallelism = deps.parallelism ?? 10;
  const monitorIntervalMs = deps.monitorIntervalMs ?? 30_000;

  const fork = (): EntityManager => deps.orm.em.fork();

  async function loadStack(em: EntityManager, stackId: string): Promise<Stack> {
    const stack = await em.findOne(StackSchema, { id: stackId }, { populate: ['tenant', 'cluster'] });
    if (!stack) throw permanent(`stack ${stackId} no longer exists`, 'StackGone');
    return stack;
  }

  async function resolvedOf(em: EntityManager, stack: Stack, source: TemplateSource): Promise<ResolvedTemplate> {
    const target = source === 'pending' ? stack.pendingUpdate : { templateVersionId: stack.templateVersion.id, inputs: stack.inputs };
    if (!target) throw permanent(`stack ${stack.name} has no pending update`);
    const key = `${target.templateVersionId}:${createHash('sha256').update(JSON.stringify(target.inputs)).digest('hex')}`;
    return cache.get(key, async () => {
      // Versions never change: the body is read (and parsed) once per process and inputs.
      const version = await em.findOneOrFail(TemplateVersionSchema, { id: target.templateVersionId });
      const analysis = analyzeTemplate(version.body);
      if (!analysis.valid || !analysis.doc) throw permanent(`template version ${version.version} is no longer valid`);
      const { resolved, problems } = resolveTemplate(analysis.doc, deps.secrets.openAll(target.inputs));
      if (!resolved) throw permanent(`the inputs no longer fit the template: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
      return resolved;
    });
  }

  function sealAttributes(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
    const def = getNodeType(type);
    const secretKeys = Object.entries(def?.attributes ?? {})
      .filter(([, a]) => a.secret)
      .map(([name]) => name);
    return deps.secrets.sealKeys(attributes, secretKeys);
  }

  function openProperties(element: StackElement): Record<string, unknown> | null {
    const sealed = element.properties?.sealed;
    return typeof sealed === 'string' ? (deps.secrets.open(sealed) as Record<string, unknown>) : null;
  }

  function elementState(element: StackElement): ElementState {
    return { physicalId: element.physicalId ?? null, attributes: deps.secrets.openAll(element.attributes ?? {}) };
  }

  /** Properties of `node` with get_attribute references to deployed elements filled in. */
  async function concreteProperties(em: EntityManager, stack: Stack, resolved: ResolvedTemplate, node: string): Promise<Record<string, unknown>> {
    const spec = resolved.nodes[node];
    const related = [...new Set([...spec.dependencies, ...Object.values(spec.requirements)])];
    const rows = related.length ? await em.find(StackElementSchema, { stack, name: { $in: related } }) : [];
    const attributes = new Map(rows.map((row) => [row.name, deps.secrets.openAll(row.attributes ?? {})]));
    return evaluateDeferred(spec.properties, (name) => attributes.get(name)) as Record<string, unknown>;
  }

  async function driverContext(em: EntityManager, stack: Stack, resolved: ResolvedTemplate | null, element: string): Promise<ElementContext> {
    const activity = Context.current();
    const requirements: Record<string, RequiredNode> = {};
    const spec = resolved?.nodes[element];
    if (resolved && spec) {
      for (const [requirement, node] of Object.entries(spec.requirements)) {
        requirements[requirement] = { name: node, type: resolved.nodes[node].type, properties: await concreteProperties(em, stack, resolved, node) };
      }
    }
    return {
      tenantId: stack.tenant.id,
      stackId: stack.id,
      stackName: stack.name,
      namespace: stack.namespace,
      element,
      cluster: clusterTargetOf(stack.cluster, deps.secrets, deps.config.clusterEndpointPolicy),
      requirements,
      heartbeat: (details) => activity.heartbeat(details),
      signal: activity.cancellationSignal,
      log: (message) => activity.log.info(message, { stackId: stack.id, element }),
    };
  }

  async function stackChanged(em: EntityManager, stack: Stack): Promise<void> {
    await publish(em, 'stack.changed', { tenantId: stack.tenant.id, stackId: stack.id });
  }

  /** The element's new state, its event and the announcements: one flush, one round trip. */
  async function stepChanged(em: EntityManager, stack: Stack, element: StackElement, type: string, message: string): Promise<void> {
    const added = addStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type, element: element.name, status: element.status, message });
    await commitStackChanges(em, [added], { tenantId: stack.tenant.id, stackId: stack.id });
  }

  async function event(em: EntityManager, stack: Stack, type: string, message: string, element?: string, status?: string): Promise<void> {
    await recordStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type, element: element ?? null, status: status ?? null, message });
  }

  /** Rows for every node of `resolved` that has none yet (an update adds nodes). */
  async function ensureElementRows(em: EntityManager, stack: Stack, resolved: ResolvedTemplate): Promise<void> {
    const existing = new Set((await em.find(StackElementSchema, { stack }, { fields: ['name'] })).map((row) => row.name));
    for (const [name, node] of Object.entries(resolved.nodes)) {
      if (!existing.has(name)) em.create(StackElementSchema, { id: randomUUID(), stack, name, type: node.type, status: 'PENDING', health: 'UNKNOWN' });
    }
    await em.flush();
  }

  /** Flags the steps whose driver is quick, by the element's type (its row, or the template's node). */
  async function markQuick(em: EntityManager, stack: Stack, waves: ElementStep[][]): Promise<ElementStep[][]> {
    const rows = await em.find(StackElementSchema, { stack }, { fields: ['name', 'type'] });
    const typeOf = new Map(rows.map((row) => [row.name, row.type]));
    return waves.map((wave) => wave.map((step) => (deps.drivers.get(typeOf.get(step.element) ?? '')?.quick ? { ...step, quick: true } : step)));
  }

  function stepsOf(elements: string[][], op: ElementStep['op'], source: TemplateSource): ElementStep[][] {
    return elements.map((wave) => wave.map((element) => ({ element, op, source }))).filter((wave) => wave.length > 0);
  }

  return {
    /** Records the start of the action and returns its plan: names and steps only, no secrets. */
    async beginStackAction(input: { stackId: string; action: RecordedAction; retry?: boolean }): Promise<ActionPlan> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      if (input.action === 'DELETE') {
        // A stack whose template no longer resolves must still be deletable: fall back to its rows.
        const rows = await em.find(StackElementSchema, { stack }, { fields: ['name'] });
        const current = await resolvedOf(em, stack, 'current').catch(() => null);
        const deleteWaves = current ? planTemplate(current).deleteWaves : [];
        const planned = new Set(deleteWaves.flat());
        const strays = rows.map((row) => row.name).filter((name) => !planned.has(name));
        const waves = stepsOf([...(strays.length ? [strays] : []), ...deleteWaves], 'DELETE', 'current');
        await event(em, stack, 'ACTION_STARTED', `DELETE started: ${waves.flat().length} element(s)`, undefined, 'DELETE');
        const plan: ActionPlan = { tenantId: stack.tenant.id, stackName: stack.name, autoRollback: false, timeoutMs: stack.timeoutMinutes * minuteMs, parallelism, waves: await markQuick(em, stack, waves), rollbackOf: null, monitorIntervalMs: 0 };
        deps.metrics?.actionsStarted.inc({ action: actionLabel(input.action) });
        return plan;
      }
      const current = await resolvedOf(em, stack, 'current');
      const currentPlan = planTemplate(current);
      let waves: ElementStep[][] = [];
      let rollbackOf: ActionPlan['rollbackOf'] = null;
      switch (input.action) {
        case 'INSTALL':
          await ensureElementRows(em, stack, current);
          waves = stepsOf(currentPlan.waves, 'CREATE', 'current');
          break;
        case 'UPDATE': {
          const pending = await resolvedOf(em, stack, 'pending');
          await ensureElementRows(em, stack, pending);
          waves = updateSteps(current, pending, 'pending');
          break;
        }
        case 'START':
          waves = stepsOf(currentPlan.waves, 'START', 'current');
          break;
        case 'STOP':
          waves = stepsOf(currentPlan.deleteWaves, 'STOP', 'current');
          break;
        case 'ROLLBACK': {
          if (stack.previousStatus === 'ABNORMAL' && stack.pendingUpdate) {
            // A failed update: bring every element back to the current revision.
            const pending = await resolvedOf(em, stack, 'pending');
            waves = updateSteps(pending, current, 'current');
            rollbackOf = 'UPDATE';
          } else {
            waves = stepsOf(currentPlan.deleteWaves, 'DELETE', 'current');
            rollbackOf = 'INSTALL';
          }
          break;
        }
      }
      const what = input.retry ? `retry of ${input.action}` : input.action;
      await event(em, stack, 'ACTION_STARTED', `${what} started: ${waves.reduce((n, w) => n + w.length, 0)} element step(s) in ${waves.length} wave(s)`, undefined, input.action);
      const plan: ActionPlan = {
        tenantId: stack.tenant.id,
        stackName: stack.name,
        autoRollback: stack.autoRollback,
        timeoutMs: stack.timeoutMinutes * minuteMs,
        parallelism,
        waves: await markQuick(em, stack, waves),
        rollbackOf,
        monitorIntervalMs,
      };
      deps.metrics?.actionsStarted.inc({ action: actionLabel(input.action) });
      return plan;
    },

    /** One element step through its driver. Idempotent: a retried step finds its earlier work. */
    async applyElementStep(input: { stackId: string; step: ElementStep; compensating?: boolean }): Promise<void> {
      const { step } = input;
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      const row = await em.findOne(StackElementSchema, { stack, name: step.element });
      const resolved = step.op === 'DELETE' || step.op === 'START' || step.op === 'STOP' ? await resolvedOf(em, stack, 'current').catch(() => null) : await resolvedOf(em, stack, step.source);
      const type = row?.type ?? resolved?.nodes[step.element]?.type;
      if (!type) {
        if (step.op === 'DELETE') return;
        throw permanent(`element ${step.element} is not part of the template`);
      }
      const element = row ?? em.create(StackElementSchema, { id: randomUUID(), stack, name: step.element, type, status: 'PENDING', health: 'UNKNOWN' });
      const driver = driverFor(deps.drivers, element.type);
      const verb = step.op === 'REPLACE' ? 'UPDATE' : step.op;
      const prefix = input.compensating ? 'ROLLBACK_' : '';

      // Already where this step leads: nothing to do (a retry after a crash lands here).
      const target = resolved?.nodes[step.element] ? await concreteProperties(em, stack, resolved, step.element) : null;
      if (step.op === 'CREATE' && DEPLOYED.has(element.status) && JSON.stringify(openProperties(element)) === JSON.stringify(target)) return;
      if (step.op === 'DELETE' && (element.status === 'PENDING' || element.status === 'DELETE_COMPLETE') && !element.physicalId) return;

      element.status = `${verb}_IN_PROGRESS`;
      element.statusReason = null;
      await stepChanged(em, stack, element, `${prefix}ELEMENT_${verb}_STARTED`, `${step.element}: ${verb.toLowerCase()} started`);

      const ctx = await driverContext(em, stack, resolved, step.element);
      const activity = Context.current();
      try {
        let state: ElementState | null = null;
        await withHeartbeat(async () => {
          const previous = elementState(element);
          switch (step.op) {
            case 'CREATE':
              if (!target) throw permanent(`element ${step.element} is not part of the template`);
              state = await driver.create(ctx, target);
              break;
            case 'UPDATE':
            case 'REPLACE': {
              if (!target) throw permanent(`element ${step.element} is not part of the template`);
              const before = openProperties(element) ?? {};
              if (step.op === 'UPDATE' && driver.update && element.physicalId !== null) {
                state = await driver.update(ctx, target, { properties: before, state: previous });
              } else {
                await driver.delete(ctx, previous);
                state = await driver.create(ctx, target);
              }
              break;
            }
            case 'DELETE':
              await driver.delete(ctx, element.physicalId || element.attributes ? previous : null);
              break;
            case 'START':
              if (driver.start && element.physicalId) state = await driver.start(ctx, previous);
              break;
            case 'STOP':
              if (driver.stop && element.physicalId) state = await driver.stop(ctx, previous);
              break;
          }
          const done = state as ElementState | null;
          if (done) {
            element.physicalId = done.physicalId;
            element.attributes = sealAttributes(element.type, done.attributes);
          }
        });
        if (step.op === 'DELETE') {
          element.physicalId = null;
          element.attributes = null;
          element.properties = null;
          element.health = 'UNKNOWN';
          element.status = 'DELETE_COMPLETE';
        } else {
          if (target && (step.op === 'CREATE' || step.op === 'UPDATE' || step.op === 'REPLACE')) {
            element.properties = { sealed: deps.secrets.seal(target) };
            element.type = resolved?.nodes[step.element]?.type ?? element.type;
          }
          element.status = step.op === 'STOP' ? 'STOPPED' : `${verb}_COMPLETE`;
          element.health = step.op === 'STOP' ? 'UNKNOWN' : 'HEALTHY';
        }
        await stepChanged(em, stack, element, `${prefix}ELEMENT_${verb}_SUCCEEDED`, `${step.element}: ${verb.toLowerCase()} succeeded`);
      } catch (error) {
        if (activity.cancellationSignal.aborted) {
          element.status = `${verb}_FAILED`;
          element.statusReason = 'cancelled';
          await stepChanged(em, stack, element, `${prefix}ELEMENT_${verb}_CANCELLED`, `${step.element}: ${verb.toLowerCase()} cancelled`);
          throw new CancelledFailure('cancelled');
        }
        const reason = errorText(error);
        const final = error instanceof PermanentDriverError || error instanceof ApplicationFailure || activity.info.attempt >= ELEMENT_STEP_MAX_ATTEMPTS;
        element.status = `${verb}_FAILED`;
        element.statusReason = reason;
        await stepChanged(
          em,
          stack,
          element,
          final ? `${prefix}ELEMENT_${verb}_FAILED` : `${prefix}ELEMENT_${verb}_RETRYING`,
          final ? `${step.element}: ${verb.toLowerCase()} failed: ${reason}` : `${step.element}: attempt ${activity.info.attempt} failed (${reason}); retrying`,
        );
        if (error instanceof ApplicationFailure) throw error;
        if (error instanceof PermanentDriverError) throw permanent(reason, error.reason || 'DriverPermanent');
        throw ApplicationFailure.retryable(reason, 'DriverError');
      }
    },

    /** Marks the beginning of a rollback (an event; the steps follow). */
    async recordRollbackStarted(input: { stackId: string; reason: string; steps: number }): Promise<void> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      await event(em, stack, 'ROLLBACK_STARTED', `rolling back ${input.steps} completed step(s): ${input.reason}`);
    },

    /** Ends the action: status, revision, outputs, events; for a finished delete, the record goes. */
    async finishStackAction(input: FinishRequest): Promise<void> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      const action = (stack.action ?? 'INSTALL') as RecordedAction;
      const reason = input.reason ?? null;
      const failedList = input.failedElements?.length ? ` (elements: ${input.failedElements.join(', ')})` : '';

      if (action === 'DELETE' && input.outcome === 'COMPLETE') {
        await event(em, stack, 'STACK_DELETED', reason ? `stack deleted; ${reason}` : 'stack deleted: every element removed', undefined, 'DELETE_COMPLETE');
        await em.nativeDelete(StackSchema, { id: stack.id });
        // Counted once the record is gone: a retry (after a failed announcement) finds no stack.
        deps.metrics?.actionsFinished.inc({ action: 'DELETE', outcome: outcomeLabel('COMPLETE') });
        await stackChanged(em, stack);
        return;
      }

      let status: StackStatus;
      switch (input.outcome) {
        case 'COMPLETE':
          status = await completeAction(em, stack, action);
          stack.actionState = 'COMPLETE';
          stack.statusReason = null;
          await event(em, stack, 'ACTION_COMPLETED', `${action} completed`, undefined, status);
          break;
        case 'ROLLED_BACK':
        case 'CANCELLED': {
          status = await restoreAfterRollback(em, stack, action);
          stack.actionState = 'FAILED';
          stack.statusReason = reason;
          const what = input.outcome === 'CANCELLED' ? 'cancelled and undone' : 'failed and was rolled back';
          await event(em, stack, 'ROLLBACK_COMPLETED', `${action} ${what}: ${reason ?? ''}`.trim(), undefined, status);
          break;
        }
        case 'ROLLBACK_FAILED':
          status = 'ABNORMAL';
          stack.actionState = 'FAILED';
          stack.statusReason = `${reason ?? 'rollback failed'}${failedList}`;
          await event(em, stack, 'ROLLBACK_FAILED', `rollback of ${action} failed${failedList}: ${reason ?? ''}`, input.failedElements?.[0], status);
          break;
        default:
          status = statusAfterFailure(action, { someStopped: input.someStopped });
          stack.actionState = 'FAILED';
          stack.statusReason = `${reason ?? 'failed'}${failedList}`;
          await event(em, stack, 'ACTION_FAILED', `${action} failed${failedList}: ${reason ?? ''}`, input.failedElements?.[0], status);
      }
      stack.status = status;
      stack.actionRequestToken = stack.actionRequestToken ?? null;
      await em.flush();
      await stackChanged(em, stack);
      deps.metrics?.actionsFinished.inc({ action: actionLabel(action), outcome: outcomeLabel(input.outcome) });
    },

    /**
     * What a forced delete could not remove: as the engine reports it (Docker clusters), or, when
     * the engine cannot be asked, the physical ids recorded for the elements still deployed.
     */
    async listLeftovers(input: { stackId: string }): Promise<string[]> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      const target = clusterTargetOf(stack.cluster, deps.secrets, deps.config.clusterEndpointPolicy);
      if (target?.kind === 'DOCKER') {
        try {
          return await listOwnedObjects(target, stack.id);
        } catch (error) {
          const recorded = await em.find(StackElementSchema, { stack, physicalId: { $ne: null } }, { orderBy: { name: 'asc' } });
          return [
            `(the engine could not be asked: ${errorText(error)}; recorded on it)`,
            ...recorded.map((row) => `${row.name}: ${row.physicalId}`),
          ];
        }
      }
      return [];
    },
  };

  /** Success of INSTALL/UPDATE/START/STOP/ROLLBACK: where the stack lands and what it records. */
  async function completeAction(em: EntityManager, stack: Stack, action: RecordedAction): Promise<StackStatus> {
    if (action === 'INSTALL' || action === 'UPDATE') {
      if (action === 'UPDATE' && stack.pendingUpdate) {
        const resolved = await resolvedOf(em, stack, 'pending');
        stack.templateVersion = em.getReference(TemplateVersionSchema, stack.pendingUpdate.templateVersionId);
        stack.inputs = stack.pendingUpdate.inputs;
        stack.pendingUpdate = null;
        await removeRowsNotIn(em, stack, resolved);
        await storeOutputs(em, stack, resolved);
      } else {
        await storeOutputs(em, stack, await resolvedOf(em, stack, 'current'));
      }
      stack.revision += 1;
      em.create(StackRevisionSchema, { id: randomUUID(), stack, number: stack.revision, templateVersion: stack.templateVersion, inputs: stack.inputs });
      return 'NORMAL';
    }
    if (action === 'STOP') return 'STOPPED';
    if (action === 'ROLLBACK') {
      if (stack.pendingUpdate) {
        stack.pendingUpdate = null;
        await removeRowsNotIn(em, stack, await resolvedOf(em, stack, 'current'));
        return 'NORMAL';
      }
      await resetElements(em, stack);
      stack.outputs = null;
      return 'INITIAL';
    }
    return 'NORMAL';
  }

  /** After compensation: an install is back to INITIAL, an update to its previous revision. */
  async function restoreAfterRollback(em: EntityManager, stack: Stack, action: RecordedAction): Promise<StackStatus> {
    switch (action) {
      case 'INSTALL':
        await resetElements(em, stack);
        stack.outputs = null;
        return 'INITIAL';
      case 'UPDATE':
        stack.pendingUpdate = null;
        await removeRowsNotIn(em, stack, await resolvedOf(em, stack, 'current'));
        return 'NORMAL';
      default:
        return stack.previousStatus && stack.previousStatus !== 'PROCESSING' ? stack.previousStatus : 'ABNORMAL';
    }
  }

  async function resetElements(em: EntityManager, stack: Stack): Promise<void> {
    await em.nativeUpdate(StackElementSchema, { stack }, { status: 'PENDING', health: 'UNKNOWN', physicalId: null, attributes: null, properties: null, statusReason: null });
  }

  async function removeRowsNotIn(em: EntityManager, stack: Stack, resolved: ResolvedTemplate): Promise<void> {
    await em.nativeDelete(StackElementSchema, { stack, name: { $nin: Object.keys(resolved.nodes) } });
  }

  async function storeOutputs(em: EntityManager, stack: Stack, resolved: ResolvedTemplate): Promise<void> {
    const rows = await em.find(StackElementSchema, { stack });
    const attributes = new Map(rows.map((row) => [row.name, deps.secrets.openAll(row.attributes ?? {})]));
    const outputs: NonNullable<Stack['outputs']> = {};
    for (const [name, output] of Object.entries(resolved.outputs)) {
      let value: unknown;
      try {
        value = evaluateDeferred(output.value, (node) => attributes.get(node));
      } catch (error) {
        value = null;
        await event(em, stack, 'OUTPUT_FAILED', `output ${name} could not be computed: ${errorText(error)}`);
      }
      const secret = output.secret === true;
      outputs[name] = { value: secret ? deps.secrets.seal(value) : value, ...(output.description ? { description: output.description } : {}), ...(secret ? { secret } : {}) };
    }
    stack.outputs = outputs;
    const names = Object.keys(outputs);
    if (names.length) await event(em, stack, 'OUTPUTS_COMPUTED', `outputs computed: ${names.join(', ')}`);
  }
}

/**
 * Steps that take elements from `from` to `to`: additions and changes in `to`'s install order,
 * then removals in `from`'s delete order.
 */
function updateSteps(from: ResolvedTemplate, to: ResolvedTemplate, source: TemplateSource): ElementStep[][] {
  const changes = new Map(diffTemplates(from, to).map((c) => [c.element, c]));
  const forward = planTemplate(to).waves.map((wave) =>
    wave.flatMap((element): ElementStep[] => {
      const change = changes.get(element)?.change;
      if (change === 'ADD') return [{ element, op: 'CREATE', source }];
      if (change === 'MODIFY') return [{ element, op: 'UPDATE', source }];
      if (change === 'REPLACE') return [{ element, op: 'REPLACE', source }];
      return [];
    }),
  );
  const backward = planTemplate(from).deleteWaves.map((wave) =>
    wave.filter((element) => changes.get(element)?.change === 'DELETE').map((element): ElementStep => ({ element, op: 'DELETE', source: source === 'pending' ? 'current' : 'pending' })),
  );
  return [...forward, ...backward].filter((wave) => wave.length > 0);
}

export type StackActivities = ReturnType<typeof createStackActivities>;
