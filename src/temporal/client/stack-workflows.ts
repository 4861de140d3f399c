// The contract between the client that starts stack workflows and workflows/ that runs them:
// workflow type names, ids and input.
import type { ActionRequest } from '../../services/action-runner.js';
import type { RecordedAction } from '../../domain/stack-state.js';

/** What every stack workflow receives: the port's request as it is (ids and switches, no secrets). */
export type StackWorkflowInput = ActionRequest;

export const STACK_WORKFLOW_TYPE: Record<RecordedAction, string> = {
  INSTALL: 'installStackWorkflow',
  UPDATE: 'updateStackWorkflow',
  START: 'startStackWorkflow',
  STOP: 'stopStackWorkflow',
  DELETE: 'deleteStackWorkflow',
  ROLLBACK: 'rollbackStackWorkflow',
};

/** One id per stack: Temporal itself refuses a second action while one runs. */
export function stackWorkflowId(stackId: string): string {
  return `stack-${stackId}`;
}
