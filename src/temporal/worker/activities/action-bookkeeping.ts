// Action bookkeeping: the stack's side of an action's run. Its start (the plan, element rows),
// the start of a rollback, its end (status, revision, outputs, events; a deleted stack's record
// becomes DELETED, readable until purged) and, after a forced delete, what was left behind.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AlarmSchema, StackElementSchema, StackRevisionSchema, TemplateVersionSchema, type Stack } from '../../../db/entities/index.js';
import { errorText } from '../../../domain/error-text.js';
import { DEFAULT_ELEMENT_PARALLELISM, type ActionPlan, type ElementStep, type FinishRequest } from '../../../domain/lifecycle.js';
import { statusAfterFailure, type RecordedAction, type StackStatus } from '../../../domain/stack-state.js';
import { providerOf } from '../../../drivers/registry.js';
import { actionLabel, outcomeLabel } from '../../../observability/metrics.js';
import { clusterTargetOf } from '../../../clusters/cluster-target.js';
import { clusterOfElement, driverOfElement, serviceClustersOf } from '../../../clusters/element-cluster.js';
import { evaluateDeferred, type ResolvedTemplate } from '../../../template/index.js';
import { actionSteps, deleteSteps, rollbackTargetOf } from './step-planning.js';
import type { StackActivityDeps, StackRecords } from './stack-records.js';

export function createActionBookkeeping(deps: StackActivityDeps, records: StackRecords) {
  const { fork, loadStack, resolvedOf, stackChanged, event } = records;
  const minuteMs = deps.timeoutUnitMs ?? 60_000;
  const parallelism = deps.parallelism ?? DEFAULT_ELEMENT_PARALLELISM;
  const monitorIntervalMs = deps.monitorIntervalMs ?? 30_000;

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
    return waves.map((wave) => wave.map((step) => (driverOfElement(deps.drivers, stack, typeOf.get(step.element) ?? '')?.quick ? { ...step, quick: true } : step)));
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
        const waves = deleteSteps(current, rows.map((row) => row.name));
        await event(em, stack, 'ACTION_STARTED', `DELETE started: ${waves.flat().length} element(s)`, undefined, 'DELETE');
        const plan: ActionPlan = { tenantId: stack.tenant.id, stackName: stack.name, autoRollback: false, timeoutMs: stack.timeoutMinutes * minuteMs, parallelism, waves: await markQuick(em, stack, waves), rollbackOf: null, monitorIntervalMs: 0 };
        deps.metrics?.actionsStarted.inc({ action: actionLabel(input.action) });
        return plan;
      }
      const current = await resolvedOf(em, stack, 'current');
      const rollbackOf = input.action === 'ROLLBACK' ? rollbackTargetOf(stack.previousStatus ?? null, Boolean(stack.pendingUpdate)) : null;
      const pending = input.action === 'UPDATE' || rollbackOf === 'UPDATE' ? await resolvedOf(em, stack, 'pending') : null;
      const waves = actionSteps(input.action, current, pending, rollbackOf);
      // Rows for the elements to be: the template's on install, the update's (new nodes too) on update.
      if (input.action === 'INSTALL') await ensureElementRows(em, stack, current);
      if (input.action === 'UPDATE' && pending) await ensureElementRows(em, stack, pending);
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

    /** Marks the beginning of a rollback (an event; the steps follow). */
    async recordRollbackStarted(input: { stackId: string; reason: string; steps: number }): Promise<void> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      await event(em, stack, 'ROLLBACK_STARTED', `rolling back ${input.steps} completed step(s): ${input.reason}`);
    },

    /** Ends the action: status, revision, outputs, events; a finished delete leaves the record DELETED. */
    async finishStackAction(input: FinishRequest): Promise<void> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      const action = (stack.action ?? 'INSTALL');
      const reason = input.reason ?? null;
      const failedList = input.failedElements?.length ? ` (elements: ${input.failedElements.join(', ')})` : '';

      if (action === 'DELETE' && input.outcome === 'COMPLETE') {
        await event(em, stack, 'STACK_DELETED', reason ? `stack deleted; ${reason}` : 'stack deleted: every element removed', undefined, 'DELETE_COMPLETE');
        // The record stays readable as DELETED (events, last outputs) until the maintenance purges it
        // past retention; its alarms are over, and nothing may be asked of it any more.
        const now = new Date();
        await em.nativeUpdate(AlarmSchema, { stack: stack.id, clearedAt: null }, { clearedAt: now });
        stack.status = 'DELETED';
        stack.actionState = 'COMPLETE';
        stack.statusReason = reason;
        stack.pendingUpdate = null;
        stack.deletedAt = now;
        await em.flush();
        // Counted once the record is DELETED: a retry (after a failed announcement) finds the stack gone.
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
     * What a forced delete could not remove: as the cluster reports it (its provider lists what
     * carries the stack's label), or, when it cannot be asked, the physical ids recorded for the
     * elements still deployed.
     */
    async listLeftovers(input: { stackId: string }): Promise<string[]> {
      const em = fork();
      const stack = await loadStack(em, input.stackId);
      const clusters = [stack.cluster, ...serviceClustersOf(stack)].filter((cluster) => cluster !== null && cluster !== undefined);
      const recorded = await em.find(StackElementSchema, { stack, physicalId: { $ne: null } }, { orderBy: { name: 'asc' } });
      const leftovers: string[] = [];
      for (const cluster of clusters) {
        const target = clusterTargetOf(cluster, deps.secrets, deps.config.clusterEndpointPolicy);
        if (!target) continue;
        // With service clusters, each line says where it is.
        const where = clusters.length > 1 ? `${target.name}: ` : '';
        const provider = providerOf(deps.drivers, target.kind);
        let why = `a ${target.kind} cluster cannot list what AOS owns on it`;
        if (provider.listOwnedObjects) {
          try {
            leftovers.push(...(await provider.listOwnedObjects(target, stack.id)).map((object) => `${where}${object}`));
            continue;
          } catch (error) {
            why = `the cluster could not be asked: ${errorText(error)}`;
          }
        }
        const mine = recorded.filter((row) => clusterOfElement(deps.drivers, stack, row.type)?.id === cluster.id);
        if (mine.length > 0) leftovers.push(`${where}(${why}; recorded on it)`, ...mine.map((row) => `${row.name}: ${row.physicalId}`));
      }
      return leftovers;
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
