// Shapes and constants shared by the lifecycle workflows (deterministic sandbox) and their
// activities. Pure: no IO, no SDK.

export type TemplateSource = 'current' | 'pending';
export type ElementOp = 'CREATE' | 'UPDATE' | 'REPLACE' | 'DELETE' | 'START' | 'STOP';

export interface ElementStep {
  element: string;
  op: ElementOp;
  /** Which resolved template the element is brought to: the stack's current revision or the pending update. */
  source: TemplateSource;
  /** The element's driver is quick (in-process, milliseconds): the step may run as a local activity. */
  quick?: boolean;
}

export interface ActionPlan {
  tenantId: string;
  stackName: string;
  autoRollback: boolean;
  /** Bounds the whole action; past it the action fails (and is rolled back when autoRollback is on). */
  timeoutMs: number;
  /** How many elements of one wave run at once. */
  parallelism: number;
  /** Run in order; the steps of one wave are independent of each other. */
  waves: ElementStep[][];
  /** ROLLBACK only: which failed action it undoes. */
  rollbackOf?: 'INSTALL' | 'UPDATE' | null;
  /** Health checks every this many ms once the action completes; 0: no monitor. */
  monitorIntervalMs: number;
}

export type ActionOutcome = 'COMPLETE' | 'FAILED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED' | 'CANCELLED';

export interface FinishRequest {
  stackId: string;
  outcome: ActionOutcome;
  /** Why, for the event and the stack's statusReason (no secrets). */
  reason?: string;
  /** Elements whose step or compensation failed. */
  failedElements?: string[];
  /** STOP only: some elements did stop. */
  someStopped?: boolean;
}

export const ELEMENT_STEP_MAX_ATTEMPTS = 3;
export const DEFAULT_ELEMENT_PARALLELISM = 10;

/** The step that undoes `step`, or null when there is nothing to undo. */
export function compensationOf(step: ElementStep): ElementStep | null {
  const other: TemplateSource = step.source === 'current' ? 'pending' : 'current';
  switch (step.op) {
    case 'CREATE':
      return { element: step.element, op: 'DELETE', source: step.source, quick: step.quick };
    case 'UPDATE':
      return { element: step.element, op: 'UPDATE', source: other, quick: step.quick };
    case 'REPLACE':
      return { element: step.element, op: 'REPLACE', source: other, quick: step.quick };
    case 'DELETE':
      return { element: step.element, op: 'CREATE', source: 'current', quick: step.quick };
    default:
      return null;
  }
}
