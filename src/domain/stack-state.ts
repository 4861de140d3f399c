// The stack state machine, pure: which operation may start from which status, and
// where each one ends. Services and workflows both read it; nothing here does IO.

/**
 * Every status a stack can be in: the database, the schema's enum and the CLI read this list.
 * DELETED is final: a deleted stack stays readable for the retention period and allows nothing.
 */
export const STACK_STATUSES = ['INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR', 'DELETED'] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];
/** The actions a stack records as its current or last one. */
export const RECORDED_ACTIONS = ['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'ROLLBACK'] as const;
export type RecordedAction = (typeof RECORDED_ACTIONS)[number];
export const ACTION_STATES = ['IN_PROGRESS', 'COMPLETE', 'FAILED'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** Everything a caller can ask of a stack. */
export type StackOperation = 'INSTALL' | 'UPDATE' | 'START' | 'STOP' | 'DELETE' | 'FORCE_DELETE' | 'CANCEL' | 'RETRY' | 'ROLLBACK';

export interface StackSituation {
  status: StackStatus;
  action: RecordedAction | null;
  actionState: ActionState | null;
}

const ALL_BUT_PROCESSING: StackStatus[] = ['INITIAL', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR'];

const ALLOWED_FROM: Record<Exclude<StackOperation, 'RETRY' | 'ROLLBACK'>, StackStatus[]> = {
  INSTALL: ['INITIAL'],
  UPDATE: ['NORMAL'],
  START: ['STOPPED', 'PARTIALLY_STOPPED'],
  STOP: ['NORMAL', 'ABNORMAL', 'PARTIALLY_STOPPED'],
  DELETE: ALL_BUT_PROCESSING,
  FORCE_DELETE: [...ALL_BUT_PROCESSING, 'PROCESSING'],
  CANCEL: ['PROCESSING'],
};

/** What the state machine reads of a stack row (its optional columns as null). */
export function situationOf(stack: { status: StackStatus; action?: RecordedAction | null; actionState?: ActionState | null }): StackSituation {
  return { status: stack.status, action: stack.action ?? null, actionState: stack.actionState ?? null };
}

/** Retry repeats the action that failed; rollback undoes a failed install or update. */
export function isAllowed(op: StackOperation, s: StackSituation): boolean {
  switch (op) {
    case 'RETRY':
      return s.status === 'ABNORMAL' && s.actionState === 'FAILED' && s.action !== null && s.action !== 'DELETE' && s.action !== 'ROLLBACK';
    case 'ROLLBACK':
      return s.status === 'ABNORMAL' && s.actionState === 'FAILED' && (s.action === 'INSTALL' || s.action === 'UPDATE');
    case 'START':
      // Beyond the table: a stack made ABNORMAL by a health check (its last action completed) can be
      // started, which restarts what died.
      return ALLOWED_FROM.START.includes(s.status) || (s.status === 'ABNORMAL' && s.actionState === 'COMPLETE');
    default:
      return ALLOWED_FROM[op].includes(s.status);
  }
}

export function allowedOperations(s: StackSituation): StackOperation[] {
  const all: StackOperation[] = ['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'FORCE_DELETE', 'CANCEL', 'RETRY', 'ROLLBACK'];
  return all.filter((op) => isAllowed(op, s));
}

/** The action recorded on the stack while an operation runs. */
export function recordedActionOf(op: StackOperation, s: StackSituation): RecordedAction {
  switch (op) {
    case 'FORCE_DELETE':
      return 'DELETE';
    case 'RETRY':
      return s.action ?? 'INSTALL';
    case 'CANCEL':
      return s.action ?? 'INSTALL';
    default:
      return op;
  }
}

/** Where a failed action leaves the stack when nothing was rolled back. */
export function statusAfterFailure(action: RecordedAction, partial: { someStopped?: boolean } = {}): StackStatus {
  if (action === 'STOP') return partial.someStopped ? 'PARTIALLY_STOPPED' : 'ABNORMAL';
  return 'ABNORMAL';
}

export const DEFAULT_TIMEOUT_MINUTES = 60;
/** How long a deleted stack stays readable before the maintenance removes it (AOS_DELETED_STACK_RETENTION_DAYS). */
export const DEFAULT_DELETED_STACK_RETENTION_DAYS = 30;
export const MAX_TIMEOUT_MINUTES = 1440;
