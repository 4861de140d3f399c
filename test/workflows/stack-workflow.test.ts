// The stack workflows' own logic (workflows/stack.ts, bundled as the worker bundles it) on the test
// Temporal server, with in-memory activities in place of PostgreSQL, Docker and the drivers: waves
// and bounded parallelism, the saga's last-in-first-out undo, what each way of stopping records.
import { randomBytes, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionPlan, ElementOp, ElementStep, FinishRequest } from '../../src/domain/lifecycle.js';
import type { RecordedAction } from '../../src/domain/stack-state.js';
import { STACK_WORKFLOW_TYPE, stackWorkflowId, type StackWorkflowInput } from '../../src/temporal/client/stack-workflows.js';
import type { StackActivities } from '../../src/temporal/worker/activities/stack.js';
import { bundleWorkflows } from '../../src/temporal/worker/worker.js';

/** One stack's run as the fake activities see it. Step keys: `CREATE web`, and `undo DELETE web` for a compensation. */
interface Run {
  plan: ActionPlan;
  /** Steps that fail (not retried), with their message. */
  failures?: Record<string, string>;
  /** Steps that heartbeat until they are cancelled. */
  hangs?: string[];
  stepMs?: number;
  leftovers?: string[];
  log: string[];
  running: number;
  maxRunning: number;
  /** Local activities run the quick steps: which steps ran as one. */
  local: string[];
  /** Each step's key with the template it was brought to. */
  sources: string[];
  begun?: unknown;
  rollback?: { stackId: string; reason: string; steps: number };
  finishes: FinishRequest[];
}

const runs = new Map<string, Run>();
const runOf = (stackId: string): Run => {
  const run = runs.get(stackId);
  if (!run) throw ApplicationFailure.nonRetryable(`no run for ${stackId}`);
  return run;
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const activities: StackActivities = {
  async beginStackAction(input) {
    const run = runOf(input.stackId);
    run.begun = input;
    run.log.push('begin');
    return run.plan;
  },
  async recordRollbackStarted(input) {
    const run = runOf(input.stackId);
    run.rollback = input;
    run.log.push(`rollback of ${input.steps}`);
  },
  async finishStackAction(input) {
    const run = runOf(input.stackId);
    run.finishes.push(input);
    run.log.push(`finish ${input.outcome}`);
  },
  async listLeftovers(input) {
    const run = runOf(input.stackId);
    run.log.push('leftovers');
    return run.leftovers ?? [];
  },
  async applyElementStep({ stackId, step, compensating }) {
    const run = runOf(stackId);
    const key = `${compensating ? 'undo ' : ''}${step.op} ${step.element}`;
    const context = Context.current();
    if (context.info.isLocal) run.local.push(key);
    run.log.push(`start ${key}`);
    run.sources.push(`${key} ${step.source}`);
    run.running += 1;
    run.maxRunning = Math.max(run.maxRunning, run.running);
    try {
      if (run.hangs?.includes(key)) {
        // Cancellation reaches an activity through its heartbeats; context.sleep rejects then.
        for (;;) {
          context.heartbeat();
          await context.sleep(50);
        }
      }
      await pause(run.stepMs ?? 0);
      const failure = run.failures?.[key];
      if (failure) throw ApplicationFailure.nonRetryable(failure, 'FakeFailure');
      run.log.push(`done ${key}`);
    } catch (error) {
      run.log.push(`${error instanceof CancelledFailure ? 'cancelled' : 'failed'} ${key}`);
      throw error;
    } finally {
      run.running -= 1;
    }
  },
};

const steps = (op: ElementOp, ...waves: string[][]): ElementStep[][] => waves.map((wave) => wave.map((element) => ({ element, op, source: 'current' as const })));

function planOf(waves: ElementStep[][], overrides: Partial<ActionPlan> = {}): ActionPlan {
  return { tenantId: 't', stackName: 's', autoRollback: true, timeoutMs: 60_000, parallelism: 10, waves, rollbackOf: null, monitorIntervalMs: 0, ...overrides };
}

let client: Client;
let clientConnection: Connection;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `aos-stack-workflow-test-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('run with /work/dev/t.sh or `npm test`: TEMPORAL_ADDRESS names the test Temporal server');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  workerConnection = await NativeConnection.connect({ address });
  // Heartbeats are sent at once: a cancellation reaches a hanging step in milliseconds.
  worker = await Worker.create({ connection: workerConnection, namespace, taskQueue, workflowBundle: await bundleWorkflows(), activities, maxHeartbeatThrottleInterval: '20 ms' });
  running = worker.run();
  clientConnection = await Connection.connect({ address });
  client = new Client({ connection: clientConnection, namespace });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await clientConnection?.close();
});

/** Starts the action's workflow for a new stack id whose fake activities play `run`. */
async function start(action: RecordedAction, run: Omit<Run, 'log' | 'running' | 'maxRunning' | 'local' | 'sources' | 'finishes'>, extra: Partial<StackWorkflowInput> = {}) {
  const stackId = randomUUID();
  const state: Run = { ...run, log: [], running: 0, maxRunning: 0, local: [], sources: [], finishes: [] };
  runs.set(stackId, state);
  const handle = await client.workflow.start(STACK_WORKFLOW_TYPE[action], {
    taskQueue,
    workflowId: stackWorkflowId(stackId),
    args: [{ stackId, action, ...extra }],
    workflowExecutionTimeout: '1 minute',
  });
  return { stackId, run: state, handle };
}

const started = (run: Run) => run.log.filter((line) => line.startsWith('start ')).map((line) => line.slice('start '.length));
const undone = (run: Run) => started(run).filter((key) => key.startsWith('undo '));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(10);
  }
}

// Each test has a stack of its own: they run at once.
describe.concurrent('stack workflows with in-memory activities', () => {
  it('an install runs its waves in order, at most `parallelism` steps at once, quick steps as local activities, and finishes COMPLETE', async () => {
    const waves = [...steps('CREATE', ['a1', 'a2', 'a3', 'a4', 'a5'], ['b1', 'b2']), [{ element: 'q', op: 'CREATE' as const, source: 'current' as const, quick: true }]];
    const { stackId, run, handle } = await start('INSTALL', { plan: planOf(waves, { parallelism: 2 }), stepMs: 80 });
    expect(await handle.result()).toBe('COMPLETE');
    expect(run.begun).toEqual({ stackId, action: 'INSTALL' });
    expect(run.maxRunning).toBe(2);
    const at = (line: string) => run.log.indexOf(line);
    for (const a of ['a1', 'a2', 'a3', 'a4', 'a5']) {
      for (const b of ['b1', 'b2']) expect(at(`done CREATE ${a}`)).toBeLessThan(at(`start CREATE ${b}`));
    }
    expect(at('done CREATE b1')).toBeLessThan(at('start CREATE q'));
    expect(at('done CREATE b2')).toBeLessThan(at('start CREATE q'));
    expect(run.local).toEqual(['CREATE q']);
    expect(undone(run)).toEqual([]);
    expect(run.rollback).toBeUndefined();
    expect(run.finishes).toEqual([{ stackId, outcome: 'COMPLETE' }]);
    expect(run.log[run.log.length - 1]).toBe('finish COMPLETE');
  });

  it('a failing step with autoRollback: what was done is undone last-in-first-out, the failed create too; ROLLED_BACK with its message', async () => {
    const { stackId, run, handle } = await start('INSTALL', { plan: planOf(steps('CREATE', ['a'], ['b'], ['c'], ['d'])), failures: { 'CREATE c': 'c: image not found' } });
    expect(await handle.result()).toBe('ROLLED_BACK');
    expect(started(run)).toEqual(['CREATE a', 'CREATE b', 'CREATE c', 'undo DELETE c', 'undo DELETE b', 'undo DELETE a']);
    expect(run.rollback).toEqual({ stackId, reason: 'c: image not found', steps: 3 });
    expect(run.finishes).toEqual([{ stackId, outcome: 'ROLLED_BACK', reason: 'c: image not found' }]);
  });

  it("an update's rollback brings each element back to the current template, in reverse", async () => {
    const waves: ElementStep[][] = [[{ element: 'web', op: 'UPDATE', source: 'pending' }], [{ element: 'db', op: 'REPLACE', source: 'pending' }], [{ element: 'old', op: 'DELETE', source: 'current' }], [{ element: 'new', op: 'CREATE', source: 'pending' }]];
    const { run, handle } = await start('UPDATE', { plan: planOf(waves), failures: { 'CREATE new': 'new: quota exceeded' } });
    expect(await handle.result()).toBe('ROLLED_BACK');
    expect(undone(run)).toEqual(['undo DELETE new', 'undo CREATE old', 'undo REPLACE db', 'undo UPDATE web']);
    // compensationOf: an update or replace goes back to the other template, a delete is re-created from the current one.
    expect(run.sources.filter((line) => line.startsWith('undo '))).toEqual(['undo DELETE new pending', 'undo CREATE old current', 'undo REPLACE db current', 'undo UPDATE web current']);
  });

  it('a compensation that fails: the others still run, ROLLBACK_FAILED names its element', async () => {
    const { stackId, run, handle } = await start('INSTALL', {
      plan: planOf(steps('CREATE', ['a'], ['b'], ['c'])),
      failures: { 'CREATE c': 'c: boom', 'undo DELETE b': 'b: container will not go' },
    });
    expect(await handle.result()).toBe('ROLLBACK_FAILED');
    expect(undone(run)).toEqual(['undo DELETE c', 'undo DELETE b', 'undo DELETE a']);
    expect(run.log).toContain('done undo DELETE a');
    expect(run.finishes).toEqual([{ stackId, outcome: 'ROLLBACK_FAILED', reason: 'c: boom', failedElements: ['b'] }]);
  });

  it('autoRollback off: FAILED with every failed element of the wave, nothing undone, no later wave', async () => {
    const { stackId, run, handle } = await start('INSTALL', {
      plan: planOf(steps('CREATE', ['a'], ['b', 'c', 'ok'], ['d']), { autoRollback: false }),
      failures: { 'CREATE b': 'b: bad', 'CREATE c': 'c: bad' },
    });
    expect(await handle.result()).toBe('FAILED');
    expect(started(run)).not.toContain('CREATE d');
    expect(undone(run)).toEqual([]);
    expect(run.rollback).toBeUndefined();
    expect(run.finishes).toHaveLength(1);
    const [finish] = run.finishes;
    expect({ ...finish, reason: undefined, failedElements: [...(finish.failedElements ?? [])].sort() }).toEqual({ stackId, outcome: 'FAILED', failedElements: ['b', 'c'], someStopped: false });
    expect(['b: bad', 'c: bad']).toContain(finish.reason);
  });

  it('a stop that fails part way tells that some elements did stop', async () => {
    const { stackId, run, handle } = await start('STOP', { plan: planOf(steps('STOP', ['web'], ['db'])), failures: { 'STOP db': 'db: stuck' } });
    expect(await handle.result()).toBe('FAILED');
    expect(undone(run)).toEqual([]);
    expect(run.finishes).toEqual([{ stackId, outcome: 'FAILED', reason: 'db: stuck', failedElements: ['db'], someStopped: true }]);
  });

  it('a forced delete keeps going past failed steps and completes, reporting the elements and objects left behind', async () => {
    const { stackId, run, handle } = await start(
      'DELETE',
      { plan: planOf(steps('DELETE', ['a', 'b'], ['c'], ['d']), { autoRollback: false }), failures: { 'DELETE a': 'a: busy', 'DELETE c': 'c: busy' }, leftovers: ['container aos-a', 'volume aos-c'] },
      { force: true },
    );
    expect(await handle.result()).toBe('COMPLETE');
    expect(started(run)).toEqual(expect.arrayContaining(['DELETE a', 'DELETE b', 'DELETE c', 'DELETE d']));
    expect(undone(run)).toEqual([]);
    expect(run.log.slice(-2)).toEqual(['leftovers', 'finish COMPLETE']);
    expect(run.finishes).toEqual([{ stackId, outcome: 'COMPLETE', reason: 'left behind (could not be removed): elements a, c; objects container aos-a, volume aos-c' }]);
  });

  it('a delete without force stops at the failed wave: FAILED, nothing listed', async () => {
    const { stackId, run, handle } = await start('DELETE', { plan: planOf(steps('DELETE', ['a'], ['b']), { autoRollback: false }), failures: { 'DELETE a': 'a: busy' } });
    expect(await handle.result()).toBe('FAILED');
    expect(started(run)).toEqual(['DELETE a']);
    expect(run.log).not.toContain('leftovers');
    expect(run.finishes).toEqual([{ stackId, outcome: 'FAILED', reason: 'a: busy', failedElements: ['a'], someStopped: false }]);
  });

  it('cancellation mid-install: the running step is cancelled, the done steps undone (even with autoRollback off); CANCELLED', async () => {
    const { stackId, run, handle } = await start('INSTALL', { plan: planOf(steps('CREATE', ['a'], ['b'], ['c']), { autoRollback: false }), hangs: ['CREATE b'] });
    await until(() => run.log.includes('start CREATE b'), 'step b to start');
    await handle.cancel();
    expect(await handle.result()).toBe('CANCELLED');
    expect(run.log).toContain('cancelled CREATE b');
    expect(started(run)).toEqual(['CREATE a', 'CREATE b', 'undo DELETE b', 'undo DELETE a']);
    expect(run.rollback).toEqual({ stackId, reason: 'cancelled by request', steps: 2 });
    expect(run.finishes).toEqual([{ stackId, outcome: 'CANCELLED', reason: 'cancelled by request' }]);
  });

  it('past the plan’s timeout: the running step is cancelled and the install rolled back, "timed out after …"', async () => {
    const began = Date.now();
    const { stackId, run, handle } = await start('INSTALL', { plan: planOf(steps('CREATE', ['a'], ['b'], ['c']), { timeoutMs: 1_000 }), hangs: ['CREATE b'] });
    expect(await handle.result()).toBe('ROLLED_BACK');
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(run.log).toContain('cancelled CREATE b');
    expect(started(run)).toEqual(['CREATE a', 'CREATE b', 'undo DELETE b', 'undo DELETE a']);
    expect(run.rollback).toEqual({ stackId, reason: 'timed out after 1 s', steps: 2 });
    expect(run.finishes).toEqual([{ stackId, outcome: 'ROLLED_BACK', reason: 'timed out after 1 s' }]);
  });
});
