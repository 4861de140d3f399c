// The services' port to the engine that runs stack actions durably. The services speak only this;
// src/temporal/client/ implements it with Temporal workflows, so nothing in services/ knows Temporal.
import type { RecordedAction } from '../domain/stack-state.js';

/** What one run of an action receives: ids and switches only, never secrets (the engine's histories are readable). */
export interface ActionRequest {
  stackId: string;
  action: RecordedAction;
  /** Repeat a failed action from the element that failed on. */
  retry?: boolean;
  /** DELETE only: remove the record even when resources cannot be removed. */
  force?: boolean;
}

/**
 * NOT_RUNNING: the engine knows no run of the stack's actions, so there is nothing to stop. (A run
 * that closed a moment ago may still take the request, which then changes nothing.)
 */
export type CancelOutcome = 'CANCEL_REQUESTED' | 'NOT_RUNNING';

export interface ActionRunner {
  /**
   * Starts the run of an action and resolves with its id, which the stack records. One run per
   * stack at a time: while another runs this throws StackBusy, except for a forced delete, which
   * replaces the running one.
   */
  start(request: ActionRequest): Promise<string>;
  /** Asks the stack's running action to stop; its run then undoes what it did. */
  cancel(stackId: string): Promise<CancelOutcome>;
}
