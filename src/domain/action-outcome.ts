// The decisions of a lifecycle action's run that are not Temporal's business: which actions are
// sagas, which keep going past a failed step, why an action stopped, and what it records at the
// end. Pure: workflows/stack.ts (a deterministic sandbox) calls them; unit tests pin them.
import { errorText } from './error-text.js';
import type { FinishRequest } from './lifecycle.js';
import type { RecordedAction } from './stack-state.js';

export interface ActionTraits {
  /** INSTALL and UPDATE are sagas: each completed step registers the step that undoes it. */
  undoable: boolean;
  /** A forced DELETE goes on past a failed step and reports what it left behind. */
  keepGoing: boolean;
}

export function actionTraits(input: { action: RecordedAction; force?: boolean }): ActionTraits {
  return {
    undoable: input.action === 'INSTALL' || input.action === 'UPDATE',
    keepGoing: input.action === 'DELETE' && input.force === true,
  };
}

/** How an action that did not complete stopped. A timeout cancels the work too: it is not a cancellation by request. */
export interface ActionStop {
  timedOut: boolean;
  /** Cancelled by request (never true when timedOut). */
  cancelled: boolean;
  /** What the work threw. */
  error: unknown;
}

/** Why the action stopped, for the events and the stack's statusReason. */
export function stopReason(stop: ActionStop, timeoutMs: number): string {
  if (stop.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  if (stop.cancelled) return 'cancelled by request';
  return errorText(stop.error, { innermost: true });
}

/**
 * Whether a stopped action undoes what it did: only a saga does, when the stack asks for automatic
 * rollback or when the action was cancelled (a cancelled install or update is always undone).
 */
export function rollsBack(traits: ActionTraits, autoRollback: boolean, cancelled: boolean): boolean {
  return traits.undoable && (autoRollback || cancelled);
}

/**
 * The end of a rolled-back action: ROLLBACK_FAILED naming the elements whose compensation failed,
 * else CANCELLED (by request) or ROLLED_BACK (failure or timeout).
 */
export function finishAfterRollback(stackId: string, reason: string, notUndone: string[], cancelled: boolean): FinishRequest {
  if (notUndone.length > 0) return { stackId, outcome: 'ROLLBACK_FAILED', reason, failedElements: notUndone };
  return { stackId, outcome: cancelled ? 'CANCELLED' : 'ROLLED_BACK', reason };
}

/** The end of a stopped action that is not rolled back: FAILED, with the elements whose step failed. */
export function finishFailed(stackId: string, reason: string, failedElements: string[], someStopped: boolean): FinishRequest {
  return { stackId, outcome: 'FAILED', reason, failedElements, someStopped };
}

/** A forced delete's reason when some elements could not be removed: those, and the objects the cluster still has. */
export function leftBehindReason(failedElements: readonly string[], leftovers: readonly string[]): string {
  return `left behind (could not be removed): elements ${failedElements.join(', ')}${leftovers.length ? `; objects ${leftovers.join(', ')}` : ''}`;
}
