import { ActivityCancellationType, CancellationScope, isCancellation, ParentClosePolicy, patched, proxyActivities, proxyLocalActivities, sleep, startChild } from '@temporalio/workflow';
import { actionTraits, finishAfterRollback, finishFailed, leftBehindReason, rollsBack, stopReason } from '../src/domain/action-outcome.js';
import { compensationOf, ELEMENT_STEP_MAX_ATTEMPTS, type ActionOutcome, type ElementStep, type FinishRequest } from '../src/domain/lifecycle.js';
import type { StackActivities } from '../src/temporal/worker/activities/stack.js';
import type { StackWorkflowInput } from '../src/temporal/client/stack-workflows.js';
import { runBounded, Saga } from './saga.js';

/** Element steps: long, heartbeating, retried a few times; a cancellation waits for the activity to stop. */
const elements = proxyActivities<StackActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '8 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: ELEMENT_STEP_MAX_ATTEMPTS },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Steps of quick drivers (in-process, milliseconds) as local activities: no round trip through
 * the task queue, which is most of an element's cost in a long chain.
 */
const quickElements = proxyLocalActivities<StackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: ELEMENT_STEP_MAX_ATTEMPTS },
});

/** Histories recorded before quick steps existed replay with plain activities throughout. */
function runnerOf(step: ElementStep): typeof elements {
  return step.quick && patched('quick-steps-as-local-activities') ? quickElements : elements;
}

/** Bookkeeping in PostgreSQL: short, retried until the database answers. */
const bookkeeping = proxyActivities<StackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 30 },
});

/**
 * One lifecycle action, shared by every action workflow: plan → element steps wave by wave with
 * bounded parallelism → finish. INSTALL and UPDATE are sagas: each completed step registers its
 * compensation, and on failure (autoRollback), timeout or cancellation they run in reverse.
 */
async function runAction(input: StackWorkflowInput): Promise<ActionOutcome> {
  const { stackId } = input;
  const plan = await bookkeeping.beginStackAction(input);
  const traits = actionTraits(input);
  const { undoable, keepGoing } = traits;
  const saga = new Saga();
  const failed: string[] = [];
  let someStopped = false;

  const step = async (s: ElementStep): Promise<void> => {
    try {
      await runnerOf(s).applyElementStep({ stackId, step: s });
      if (s.op === 'STOP') someStopped = true;
      const undo = compensationOf(s);
      if (undoable && undo) saga.add(s.element, () => runnerOf(undo).applyElementStep({ stackId, step: undo, compensating: true }));
    } catch (error) {
      failed.push(s.element);
      // Whatever a failed create left half-made goes with the rest of the rollback.
      if (undoable && s.op === 'CREATE') saga.add(s.element, () => runnerOf(s).applyElementStep({ stackId, step: { ...s, op: 'DELETE' }, compensating: true }));
      if (!keepGoing) throw error;
    }
  };

  let timedOut = false;
  const work = new CancellationScope();
  const timerScope = new CancellationScope();
  const timer = timerScope.run(() => sleep(plan.timeoutMs)).then(
    () => {
      timedOut = true;
      work.cancel();
    },
    () => undefined,
  );
  const stopTimer = async (): Promise<void> => {
    timerScope.cancel();
    await timer;
  };

  let outcome: ActionOutcome;
  try {
    await work.run(async () => {
      for (const wave of plan.waves) await runBounded(wave, plan.parallelism, step);
    });
    await stopTimer();
    let reason: string | undefined;
    if (keepGoing && failed.length > 0) {
      const leftovers = await bookkeeping.listLeftovers({ stackId });
      reason = leftBehindReason(failed, leftovers);
    }
    outcome = 'COMPLETE';
    // The monitor first: once the stack's row says the action is over, nothing else may follow.
    if (input.action !== 'DELETE' && plan.monitorIntervalMs > 0) await startMonitor(stackId, plan.monitorIntervalMs);
    await bookkeeping.finishStackAction({ stackId, outcome, reason });
  } catch (error) {
    await stopTimer();
    const cancelled = !timedOut && isCancellation(error);
    const reason = stopReason({ timedOut, cancelled, error }, plan.timeoutMs);
    outcome = await CancellationScope.nonCancellable(async (): Promise<ActionOutcome> => {
      let finish: FinishRequest;
      if (rollsBack(traits, plan.autoRollback, cancelled)) {
        await bookkeeping.recordRollbackStarted({ stackId, reason, steps: saga.size });
        finish = finishAfterRollback(stackId, reason, await saga.compensate(), cancelled);
      } else {
        finish = finishFailed(stackId, reason, failed, someStopped);
      }
      await bookkeeping.finishStackAction(finish);
      return finish.outcome;
    });
  }
  return outcome;
}

/** The stack's health monitor, left running when this action ends; at most one per stack. */
async function startMonitor(stackId: string, intervalMs: number): Promise<void> {
  try {
    await startChild('stackMonitorWorkflow', {
      workflowId: `monitor-${stackId}`,
      args: [{ stackId, intervalMs }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch {
    // Already watching: one monitor is enough.
  }
}

export async function installStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'INSTALL' });
}

export async function updateStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'UPDATE' });
}

export async function startStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'START' });
}

export async function stopStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'STOP' });
}

export async function deleteStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'DELETE' });
}

export async function rollbackStackWorkflow(input: StackWorkflowInput): Promise<ActionOutcome> {
  return runAction({ ...input, action: 'ROLLBACK' });
}
