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
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        const running = await this.runningAction(workflowId);
        throw new StackBusy(`another action (${running}) is running on this stack`, running, ['CANCEL', 'FORCE_DELETE']);
      }
      throw error;
    }
    return workflowId;
  }

  /** The action of the workflow that holds the stack's id, from its type; UNKNOWN when it cannot be told. */
  private async runningAction(workflowId: string): Promise<string> {
    try {
      const { type } = await this.client.workflow.getHandle(workflowId).describe();
      return Object.entries(STACK_WORKFLOW_TYPE).find(([, workflowType]) => workflowType === type)?.[0] ?? 'UNKNOWN';
    } catch {
      // The refusal matters more than its detail: a failed look-up must not hide it.
      return 'UNKNOWN';
    }
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
