// Element steps: one element through its driver (create, update, replace, delete, start, stop),
// idempotent, heartbeating, its state sealed and recorded as it goes.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { StackElementSchema, type Cluster, type Stack, type StackElement } from '../../../db/entities/index.js';
import { clusterOfElement } from '../../../clusters/element-cluster.js';
import { ELEMENT_STEP_MAX_ATTEMPTS, type ElementStep } from '../../../domain/lifecycle.js';
import { driverFor, findDriver } from '../../../drivers/registry.js';
import { PermanentDriverError, type ElementContext, type ElementState, type RequiredNode } from '../../../drivers/types.js';
import { addStackEvent, commitStackChanges } from '../../../events/stack-events.js';
import { evaluateDeferred, getNodeType, type ResolvedTemplate } from '../../../template/index.js';
import { elementContextOf } from './element-context.js';
import { errorText } from '../../../domain/error-text.js';
import { permanent, type StackActivityDeps, type StackRecords } from './stack-records.js';

const DEPLOYED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'START_COMPLETE', 'STOPPED', 'STOP_FAILED', 'START_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED']);
const HEARTBEAT_EVERY_MS = 1000;

/** A retried step says so in its STARTED event: a second "delete started" is not a second delete. */
function retrySuffix(attempt: number): string {
  return attempt > 1 ? ` (retry ${attempt - 1})` : '';
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

export function createElementSteps(deps: StackActivityDeps, records: StackRecords) {
  const { fork, loadStack, resolvedOf } = records;

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

  async function driverContext(em: EntityManager, stack: Stack, resolved: ResolvedTemplate | null, element: string, cluster: Cluster | null): Promise<ElementContext> {
    const requirements: Record<string, RequiredNode> = {};
    const spec = resolved?.nodes[element];
    if (resolved && spec) {
      for (const [requirement, node] of Object.entries(spec.requirements)) {
        requirements[requirement] = { name: node, type: resolved.nodes[node].type, properties: await concreteProperties(em, stack, resolved, node) };
      }
    }
    return elementContextOf(deps, stack, element, cluster, { requirements });
  }

  /** The element's new state, its event and the announcements: one flush, one round trip. */
  async function stepChanged(em: EntityManager, stack: Stack, element: StackElement, type: string, message: string): Promise<void> {
    const added = addStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type, element: element.name, status: element.status, message });
    await commitStackChanges(em, [added], { tenantId: stack.tenant.id, stackId: stack.id });
  }

  return {
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
      const cluster = clusterOfElement(deps.drivers, stack, element.type);
      // Nothing was ever deployed for an element no driver could create: its delete (a rollback's) has nothing to undo.
      if (step.op === 'DELETE' && !element.physicalId && !element.attributes && !findDriver(deps.drivers, element.type, cluster?.kind)) return;
      const verb = step.op === 'REPLACE' ? 'UPDATE' : step.op;
      const prefix = input.compensating ? 'ROLLBACK_' : '';

      // Already where this step leads: nothing to do (a retry after a crash lands here).
      const target = resolved?.nodes[step.element] ? await concreteProperties(em, stack, resolved, step.element) : null;
      if (step.op === 'CREATE' && DEPLOYED.has(element.status) && JSON.stringify(openProperties(element)) === JSON.stringify(target)) return;
      if (step.op === 'DELETE' && (element.status === 'PENDING' || element.status === 'DELETE_COMPLETE') && !element.physicalId) return;

      const activity = Context.current();
      element.status = `${verb}_IN_PROGRESS`;
      element.statusReason = null;
      await stepChanged(em, stack, element, `${prefix}ELEMENT_${verb}_STARTED`, `${step.element}: ${verb.toLowerCase()} started${retrySuffix(activity.info.attempt)}`);

      const ctx = await driverContext(em, stack, resolved, step.element, cluster);
      try {
        // Inside the try: "no driver" is the element's failure, recorded like any other (and not retried).
        const driver = driverFor(deps.drivers, element.type, cluster?.kind);
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
          const done = state;
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
  };
}
