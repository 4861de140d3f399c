import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { StackBusy } from '../../domain/errors.js';
import type { ActionRequest, ActionRunner, CancelOutcome } from '../../services/action-runner.js';
import { STACK_WORKFLOW_TYPE, stackWorkflowId } from './stack-workflows.js';

/** The services' ActionRunner on Temporal: one workflow per action, Temporal's errors turned into the port's. */
export class TemporalActionRunner implements ActionRunner {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async start(request: ActionRequest): Promise<string> {
    const workflowId = stackWorkflowId(request.stackId);
    try {
      await this.client.workflow.start(STACK_WORKFLOW_TYPE[request.action], {
        taskQueue: this.taskQueue,
        workflowId,
        args: [request],
        // A forced delete replaces whatever runs; everything else waits its turn.
        workflowIdConflictPolicy: request.force ? WorkflowIdConflictPolicy.TERMINATE_EXISTING : WorkflowIdConflictPolicy.FAIL,
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new StackBusy('another action is running on this stack');
      throw error;
    }
    return workflowId;
  }

  async cancel(stackId: string): Promise<CancelOutcome> {
    try {
      await this.client.workflow.getHandle(stackWorkflowId(stackId)).cancel();
      return 'CANCEL_REQUESTED';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_RUNNING';
      throw error;
    }
  }
}
