import type { EntityManager } from '@mikro-orm/postgresql';
import { StackSchema, type Stack } from '../db/entities/index.js';
import { InvalidStackState, StackBusy } from '../domain/errors.js';
import { allowedOperations, isAllowed, recordedActionOf, situationOf, type StackOperation } from '../domain/stack-state.js';
import { publish } from '../events/publish.js';
import { recordStackEvent } from '../events/stack-events.js';
import type { ActionRequest, ActionRunner } from './action-runner.js';

export interface BeginOptions {
  requestToken?: string | null;
  /** UPDATE: what the stack moves to (inputs with secrets sealed). */
  pendingUpdate?: { templateVersionId: string; inputs: Record<string, unknown> } | null;
}

/**
 * Refuses an operation the stack's state does not allow: StackBusy while an action runs (unless
 * `busy` asks for InvalidStackState, as previews do), else InvalidStackState with what is allowed.
 */
export function assertOperationAllowed(stack: Stack, op: StackOperation, busy: 'StackBusy' | 'InvalidStackState' = 'StackBusy'): void {
  if (!isAllowed(op, situationOf(stack))) throw refusal(stack, op, busy);
}

function refusal(stack: Stack, op: StackOperation, busy: 'StackBusy' | 'InvalidStackState' = 'StackBusy'): StackBusy | InvalidStackState {
  if (stack.status === 'PROCESSING' && busy === 'StackBusy') {
    return new StackBusy(`stack "${stack.name}" is busy with ${stack.action ?? 'an action'}`, stack.action ?? 'UNKNOWN', allowedOperations(situationOf(stack)));
  }
  return new InvalidStackState(`${op} is not allowed while stack "${stack.name}" is ${stack.status}`, stack.status, allowedOperations(situationOf(stack)));
}

/**
 * Moves a stack into PROCESSING for one operation and starts its workflow. The move is a
 * conditional UPDATE on the status that was read, so of many concurrent requests exactly one
 * wins; the others see PROCESSING (StackBusy) or, when they carry the winner's request token, the
 * winner's action (idempotent success, no second workflow).
 */
export async function beginAction(
  em: EntityManager,
  runner: ActionRunner,
  stack: Stack,
  op: Exclude<StackOperation, 'CANCEL'>,
  options: BeginOptions = {},
): Promise<{ stack: Stack; started: boolean }> {
  const token = options.requestToken ?? null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (token && stack.actionRequestToken === token) return { stack, started: false };
    assertOperationAllowed(stack, op);
    const situation = situationOf(stack);
    const action = recordedActionOf(op, situation);
    const before = { ...situation, actionRequestToken: stack.actionRequestToken ?? null };
    const claimed = await em.nativeUpdate(
      StackSchema,
      { id: stack.id, status: stack.status },
      {
        status: 'PROCESSING',
        previousStatus: stack.status,
        action,
        actionState: 'IN_PROGRESS',
        actionRequestToken: token,
        actionWorkflowId: null,
        statusReason: null,
        ...(options.pendingUpdate !== undefined ? { pendingUpdate: options.pendingUpdate } : {}),
        updatedAt: new Date(),
      },
    );
    await em.refresh(stack);
    if (claimed === 0) continue;
    try {
      stack.actionWorkflowId = await startWhenPreviousCloses(runner, {
        stackId: stack.id,
        action,
        ...(op === 'RETRY' ? { retry: true } : {}),
        ...(op === 'FORCE_DELETE' ? { force: true } : {}),
      });
      await em.flush();
    } catch (error) {
      // Nothing started: put the stack back as it was.
      await em.nativeUpdate(StackSchema, { id: stack.id }, before);
      await em.refresh(stack);
      throw error;
    }
    await publish(em, 'stack.changed', { tenantId: stack.tenant.id, stackId: stack.id });
    return { stack, started: true };
  }
  // Three claims lost to concurrent requests: the stack is theirs now.
  throw refusal(stack, op);
}

/**
 * The previous action's run records its end in PostgreSQL a moment before it closes in the
 * engine: a request in that gap would be refused as busy. The row says the stack is free, so
 * wait a little for the engine to agree.
 */
async function startWhenPreviousCloses(runner: ActionRunner, request: ActionRequest): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runner.start(request);
    } catch (error) {
      if (!(error instanceof StackBusy) || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Asks the running action to stop; its workflow undoes what it did. */
export async function cancelAction(em: EntityManager, runner: ActionRunner, stack: Stack): Promise<Stack> {
  assertOperationAllowed(stack, 'CANCEL');
  await recordStackEvent(em, {
    tenantId: stack.tenant.id,
    stackId: stack.id,
    type: 'ACTION_CANCEL_REQUESTED',
    status: stack.action ?? null,
    message: `cancellation of ${stack.action ?? 'the action'} requested`,
  });
  if ((await runner.cancel(stack.id)) === 'NOT_RUNNING') {
    // The row says an action runs but the engine knows no run of it: nothing is left to cancel.
    await em.refresh(stack);
    throw new InvalidStackState(`stack "${stack.name}" has no running action to cancel`, stack.status, allowedOperations(situationOf(stack)));
  }
  return stack;
}
