import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { StackBusy } from '../../src/domain/errors.js';
import { TemporalActionRunner } from '../../src/temporal/client/action-runner.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/client/connection.js';
import { stackWorkflowId } from '../../src/temporal/client/stack-workflows.js';

// No worker polls this queue: started runs stay open, which is all the port's contract needs.
const taskQueue = `aos-runner-${randomBytes(4).toString('hex')}`;
let temporal: TemporalHandle;
let runner: TemporalActionRunner;
const stackIds: string[] = [];

function newStackId(): string {
  const id = randomUUID();
  stackIds.push(id);
  return id;
}

async function statusOf(workflowId: string, runId?: string): Promise<string> {
  return (await temporal.client.workflow.getHandle(workflowId, runId).describe()).status.name;
}

beforeAll(async () => {
  if (!process.env.TEMPORAL_ADDRESS) throw new Error('run the suite with `npm test`: it starts the test Temporal server');
  temporal = await connectTemporal(loadConfig({ taskQueue }));
  runner = new TemporalActionRunner(temporal.client, taskQueue);
});

afterAll(async () => {
  await Promise.all(stackIds.map((id) => temporal.client.workflow.getHandle(stackWorkflowId(id)).terminate('test over').catch(() => undefined)));
  await temporal?.close();
});

describe('TemporalActionRunner: the ActionRunner port on the real Temporal server', () => {
  it('starts one run per stack and refuses a second with StackBusy while the first runs', async () => {
    const stackId = newStackId();
    const id = await runner.start({ stackId, action: 'INSTALL' });
    expect(id).toBe(stackWorkflowId(stackId));
    expect(await statusOf(id)).toBe('RUNNING');
    const refusal = await runner.start({ stackId, action: 'START' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(StackBusy);
    // The running action is read from the workflow that holds the stack's id.
    expect(refusal).toMatchObject({ action: 'INSTALL', allowedActions: ['CANCEL', 'FORCE_DELETE'] });
  });

  it('lets a forced delete replace the running action', async () => {
    const stackId = newStackId();
    await runner.start({ stackId, action: 'INSTALL' });
    const first = (await temporal.client.workflow.getHandle(stackWorkflowId(stackId)).describe()).runId;
    await runner.start({ stackId, action: 'DELETE', force: true });
    expect(await statusOf(stackWorkflowId(stackId), first)).toBe('TERMINATED');
    const replacing = await temporal.client.workflow.getHandle(stackWorkflowId(stackId)).describe();
    expect(replacing.type).toBe('deleteStackWorkflow');
    expect(replacing.status.name).toBe('RUNNING');
  });

  it('says NOT_RUNNING for a stack Temporal knows no run of, and asks a running action to stop', async () => {
    const stackId = newStackId();
    expect(await runner.cancel(stackId)).toBe('NOT_RUNNING');
    await runner.start({ stackId, action: 'INSTALL' });
    expect(await runner.cancel(stackId)).toBe('CANCEL_REQUESTED');
    const history = await temporal.client.workflow.getHandle(stackWorkflowId(stackId)).fetchHistory();
    expect(history.events?.some((event) => event.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
  });
});
