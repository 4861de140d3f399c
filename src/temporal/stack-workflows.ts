import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { StackBusy } from '../domain/errors.js';
import type { RecordedAction } from '../domain/stack-state.js';

/** What every stack workflow receives: ids and switches only, never secrets (histories are readable). */
export interface StackWorkflowInput {
  stackId: string;
  action: RecordedAction;
  /** Repeat a failed action from the element that failed on. */
  retry?: boolean;
  /** DELETE only: remove the record even when resources cannot be removed. */
  force?: boolean;
}

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

export async function startStackWorkflow(client: Client, taskQueue: string, input: StackWorkflowInput): Promise<string> {
  const workflowId = stackWorkflowId(input.stackId);
  try {
    await client.workflow.start(STACK_WORKFLOW_TYPE[input.action], {
      taskQueue,
      workflowId,
      args: [input],
      // A forced delete replaces whatever runs; everything else waits its turn.
      workflowIdConflictPolicy: input.force ? WorkflowIdConflictPolicy.TERMINATE_EXISTING : WorkflowIdConflictPolicy.FAIL,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new StackBusy('another action is running on this stack');
    throw error;
  }
  return workflowId;
}

/** Asks the running action to stop; the workflow then undoes what it did. */
export async function cancelStackWorkflow(client: Client, stackId: string): Promise<void> {
  await client.workflow.getHandle(stackWorkflowId(stackId)).cancel();
}
