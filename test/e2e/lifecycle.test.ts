import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultObjects } from '../helpers/fault-type.js';
import { faultTemplate, startLifecycle, type EventView, type Lifecycle } from '../helpers/lifecycle.js';

let l: Lifecycle;
beforeAll(async () => {
  l = await startLifecycle('life');
});
afterAll(async () => l?.close());

const types = (events: EventView[]) => events.map((e) => e.type);
const eventsOfType = (events: EventView[], type: string) => events.filter((e) => e.type === type);

async function dbRows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('install', () => {
  it('installs wave by wave, computes outputs (secrets masked), records a revision and every step as an event', async () => {
    const body = faultTemplate(
      {
        db: { properties: { revision: 'r1' } },
        password: { type: 'CTC.Core.RandomString', properties: { length: 24, characters: 'hex' } },
        app: { properties: { revision: 'r1' }, dependsOn: ['db', 'password'] },
      },
      {
        outputs: {
          token: { value: { get_attribute: ['app', 'token'] } },
          generated: { value: { get_attribute: ['password', 'value'] } },
        },
      },
    );
    const templateId = await l.createTemplate(body);
    const created = await l.createStack({ templateId });
    expect(created.__typename).toBe('CreateStackSuccess');
    const stack = await l.waitFor(created.stack.id);
    expect(stack).toMatchObject({ status: 'NORMAL', action: 'INSTALL', actionState: 'COMPLETE', revision: 1 });
    expect(stack.elements.map((e) => [e.name, e.status]).sort()).toEqual([
      ['app', 'CREATE_COMPLETE'],
      ['db', 'CREATE_COMPLETE'],
      ['password', 'CREATE_COMPLETE'],
    ]);
    const password = stack.elements.find((e) => e.name === 'password')!;
    expect(password.attributes).toEqual({ value: '******' });
    expect(Object.fromEntries(stack.outputs.map((o) => [o.name, o.value]))).toEqual({ token: 'token-app', generated: '******' });

    const events = await l.events(stack.id);
    const order = types(events);
    expect(order[0]).toBe('STACK_CREATED');
    expect(order).toContain('ACTION_STARTED');
    expect(order.at(-1)).toBe('ACTION_COMPLETED');
    // app waits for both of its dependencies.
    const appStarted = events.findIndex((e) => e.type === 'ELEMENT_CREATE_STARTED' && e.element === 'app');
    for (const dep of ['db', 'password']) {
      expect(events.findIndex((e) => e.type === 'ELEMENT_CREATE_SUCCEEDED' && e.element === dep)).toBeLessThan(appStarted);
    }
    expect(JSON.stringify(events)).not.toMatch(/s3cret-/);
    expect((await faultObjects(stack.id)).map((o) => o.element).sort()).toEqual(['app', 'db']);
  });

  it('rolls a failed install back to INITIAL with autoRollback, removing what it created', async () => {
    const templateId = await l.createTemplate(
      faultTemplate({ first: {}, second: { dependsOn: ['first'] }, broken: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['second'] } }),
    );
    const { stack } = await l.createStack({ templateId });
    const done = await l.waitFor(stack.id);
    expect(done).toMatchObject({ status: 'INITIAL', action: 'INSTALL', actionState: 'FAILED' });
    expect(done.statusReason).toMatch(/injected create failure of broken/);
    expect(done.elements.every((e) => e.status === 'PENDING')).toBe(true);
    expect(await faultObjects(stack.id)).toEqual([]);
    const events = await l.events(stack.id);
    const failure = eventsOfType(events, 'ELEMENT_CREATE_FAILED')[0];
    expect(failure).toMatchObject({ element: 'broken' });
    expect(failure.message).toMatch(/injected create failure/);
    // Compensation runs in reverse: second is removed before first.
    const deletions = eventsOfType(events, 'ROLLBACK_ELEMENT_DELETE_SUCCEEDED').map((e) => e.element);
    expect(deletions.indexOf('second')).toBeLessThan(deletions.indexOf('first'));
    expect(types(events)).toContain('ROLLBACK_COMPLETED');
  });

  it('leaves a failed install ABNORMAL without autoRollback; RETRY resumes and reaches NORMAL', async () => {
    // Fails 3 attempts (the element retry budget), then succeeds: the action fails, a retry passes.
    const templateId = await l.createTemplate(faultTemplate({ base: {}, flaky: { properties: { failOn: ['create'], failTimes: 3 }, dependsOn: ['base'] } }));
    const { stack } = await l.createStack({ templateId, autoRollback: false });
    const failed = await l.waitFor(stack.id);
    expect(failed).toMatchObject({ status: 'ABNORMAL', action: 'INSTALL', actionState: 'FAILED' });
    expect(failed.elements.find((e) => e.name === 'base')!.status).toBe('CREATE_COMPLETE');
    expect(failed.elements.find((e) => e.name === 'flaky')!.status).toBe('CREATE_FAILED');
    const events = await l.events(stack.id);
    expect(eventsOfType(events, 'ELEMENT_CREATE_RETRYING')).toHaveLength(2);
    // Each attempt's STARTED event says which retry it is: the same step, not a second create.
    expect(eventsOfType(events, 'ELEMENT_CREATE_STARTED').filter((e) => e.element === 'flaky').map((e) => e.message)).toEqual([
      'flaky: create started',
      'flaky: create started (retry 1)',
      'flaky: create started (retry 2)',
    ]);
    expect(eventsOfType(events, 'ELEMENT_CREATE_FAILED')[0]).toMatchObject({ element: 'flaky' });

    const retry = await l.execute(stack.id, 'RETRY');
    expect(retry.__typename).toBe('ExecuteStackActionSuccess');
    const healed = await l.waitFor(stack.id);
    expect(healed).toMatchObject({ status: 'NORMAL', actionState: 'COMPLETE', revision: 1 });
    // base was not created twice.
    expect((await faultObjects(stack.id)).map((o) => o.element).sort()).toEqual(['base', 'flaky']);
  });

  it('ROLLBACK after a failed install without autoRollback returns the stack to INITIAL', async () => {
    const templateId = await l.createTemplate(faultTemplate({ ok: {}, bad: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['ok'] } }));
    const { stack } = await l.createStack({ templateId, autoRollback: false });
    expect((await l.waitFor(stack.id)).status).toBe('ABNORMAL');
    expect((await l.execute(stack.id, 'ROLLBACK')).__typename).toBe('ExecuteStackActionSuccess');
    const back = await l.waitFor(stack.id);
    expect(back).toMatchObject({ status: 'INITIAL', action: 'ROLLBACK', actionState: 'COMPLETE' });
    expect(await faultObjects(stack.id)).toEqual([]);
  });

  it('names the element whose compensation failed and leaves the stack ABNORMAL, never silently complete', async () => {
    const templateId = await l.createTemplate(
      faultTemplate({ sticky: { properties: { failOn: ['delete'], permanent: true } }, bad: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['sticky'] } }),
    );
    const { stack } = await l.createStack({ templateId });
    const done = await l.waitFor(stack.id);
    expect(done).toMatchObject({ status: 'ABNORMAL', actionState: 'FAILED' });
    expect(done.statusReason).toMatch(/sticky/);
    const failedRollback = eventsOfType(await l.events(stack.id), 'ROLLBACK_FAILED')[0];
    expect(failedRollback.element).toBe('sticky');
    expect(failedRollback.message).toMatch(/sticky/);
  });

  it('fails an install that passes its timeout and rolls it back', async () => {
    // timeoutMinutes 1 is one second on this worker (timeoutUnitMs 1000).
    const templateId = await l.createTemplate(faultTemplate({ quick: {}, slow: { properties: { sleepMs: 20_000 }, dependsOn: ['quick'] } }));
    const { stack } = await l.createStack({ templateId, timeoutMinutes: 1 });
    const done = await l.waitFor(stack.id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'INITIAL', actionState: 'FAILED' });
    expect(done.statusReason).toMatch(/timed out/);
    expect(await faultObjects(stack.id)).toEqual([]);
  });

  it('cancels an install in the middle and undoes what it did', async () => {
    const templateId = await l.createTemplate(
      faultTemplate({ one: { properties: { sleepMs: 300 } }, two: { properties: { sleepMs: 15_000 }, dependsOn: ['one'] }, three: { dependsOn: ['two'] } }),
    );
    const { stack } = await l.createStack({ templateId });
    await l.waitFor(stack.id, (s) => s.elements.some((e) => e.name === 'two' && e.status === 'CREATE_IN_PROGRESS'), 20_000);
    const cancelled = await l.cancel(stack.id);
    expect(cancelled.__typename).toBe('CancelStackActionSuccess');
    const done = await l.waitFor(stack.id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'INITIAL', actionState: 'FAILED' });
    expect(done.statusReason).toMatch(/cancel/);
    expect(await faultObjects(stack.id)).toEqual([]);
    const events = types(await l.events(stack.id));
    expect(events).toContain('ACTION_CANCEL_REQUESTED');
    expect((await l.events(stack.id)).some((e) => e.type === 'ELEMENT_CREATE_STARTED' && e.element === 'three')).toBe(false);
  });
});

describe('transitions', () => {
  it('stops, starts, updates and deletes; refuses what the state machine refuses', async () => {
    const v1 = faultTemplate({ a: { properties: { revision: 'v1' } }, b: { properties: { revision: 'v1' }, dependsOn: ['a'] } }, { inputs: { size: { type: 'integer', default: 1 } } });
    const templateId = await l.createTemplate(v1);
    const { stack } = await l.createStack({ templateId, deploy: false });
    expect((await l.stack(stack.id))!.status).toBe('INITIAL');

    for (const action of ['START', 'STOP', 'RETRY', 'ROLLBACK']) {
      const refused = await l.execute(stack.id, action);
      expect(refused).toMatchObject({ __typename: 'InvalidStackState', status: 'INITIAL' });
      expect(refused.allowedActions).toContain('INSTALL');
    }
    expect((await l.update(stack.id, { inputs: { size: 2 } })).__typename).toBe('InvalidStackState');

    expect((await l.execute(stack.id, 'INSTALL')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect((await l.execute(stack.id, 'INSTALL')).__typename).toBe('InvalidStackState');
    expect((await l.execute(stack.id, 'START')).__typename).toBe('InvalidStackState');

    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    const stopped = await l.waitFor(stack.id);
    expect(stopped.status).toBe('STOPPED');
    expect(stopped.elements.every((e) => e.status === 'STOPPED')).toBe(true);
    expect((await l.update(stack.id, { inputs: { size: 2 } })).__typename).toBe('InvalidStackState');
    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('InvalidStackState');

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');

    const v2 = faultTemplate({ a: { properties: { revision: 'v2' } }, c: { dependsOn: ['a'] } }, { inputs: { size: { type: 'integer', default: 1 } } });
    await l.addVersion(templateId, '2', v2);
    expect((await l.update(stack.id, { templateVersion: '2' })).__typename).toBe('UpdateStackSuccess');
    const updated = await l.waitFor(stack.id);
    expect(updated).toMatchObject({ status: 'NORMAL', action: 'UPDATE', actionState: 'COMPLETE', revision: 2 });
    expect(updated.elements.map((e) => e.name).sort()).toEqual(['a', 'c']);
    expect(await faultObjects(stack.id)).toEqual(
      expect.arrayContaining([
        { element: 'a', revision: 'v2' },
        { element: 'c', revision: null },
      ]),
    );
    expect((await faultObjects(stack.id)).map((o) => o.element)).not.toContain('b');

    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id);
    expect(await faultObjects(stack.id)).toEqual([]);
    // The record stays readable as DELETED (until retention ends), with its events and audit records.
    expect(await l.stack(stack.id)).toMatchObject({ status: 'DELETED', action: 'DELETE', actionState: 'COMPLETE' });
    expect((await l.execute(stack.id, 'START')).__typename).toBe('NotFound');
    const kept = await dbRows('select type from stack_events where stack_id = $1 order by seq', [stack.id]);
    expect(kept.map((r) => r.type)).toContain('STACK_DELETED');
    const audit = await l.t.gql(l.tenant.viewer, `query($id: String) { auditRecords(filter: { resourceId: $id }) { edges { node { traceName } } } }`, { id: stack.id });
    expect(audit.data!.auditRecords.edges.map((e: { node: { traceName: string } }) => e.node.traceName)).toEqual(
      expect.arrayContaining(['CreateStack', 'ExecuteStackAction', 'UpdateStack', 'DeleteStack']),
    );
  });

  it('rolls a failed update back to the previous revision', async () => {
    const v1 = faultTemplate({ keep: { properties: { revision: 'v1' } } });
    const templateId = await l.createTemplate(v1);
    const { stack } = await l.createStack({ templateId });
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    await l.addVersion(templateId, '2', faultTemplate({ keep: { properties: { revision: 'v2' } }, added: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['keep'] } }));
    expect((await l.update(stack.id, { templateVersion: '2' })).__typename).toBe('UpdateStackSuccess');
    const back = await l.waitFor(stack.id);
    expect(back).toMatchObject({ status: 'NORMAL', action: 'UPDATE', actionState: 'FAILED', revision: 1 });
    expect(back.elements.map((e) => e.name)).toEqual(['keep']);
    expect(await faultObjects(stack.id)).toEqual([{ element: 'keep', revision: 'v1' }]);
    expect(types(await l.events(stack.id))).toContain('ROLLBACK_COMPLETED');
  });

  it('leaves a failed update ABNORMAL without autoRollback; ROLLBACK restores the previous revision', async () => {
    const templateId = await l.createTemplate(faultTemplate({ keep: { properties: { revision: 'v1' } } }));
    const { stack } = await l.createStack({ templateId, autoRollback: false });
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    await l.addVersion(templateId, '2', faultTemplate({ keep: { properties: { revision: 'v2' } }, added: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['keep'] } }));
    expect((await l.update(stack.id, { templateVersion: '2' })).__typename).toBe('UpdateStackSuccess');
    const failed = await l.waitFor(stack.id);
    expect(failed).toMatchObject({ status: 'ABNORMAL', action: 'UPDATE', actionState: 'FAILED' });
    expect(await faultObjects(stack.id)).toEqual([{ element: 'keep', revision: 'v2' }]);
    expect((await l.execute(stack.id, 'ROLLBACK')).__typename).toBe('ExecuteStackActionSuccess');
    const restored = await l.waitFor(stack.id);
    expect(restored).toMatchObject({ status: 'NORMAL', action: 'ROLLBACK', actionState: 'COMPLETE', revision: 1 });
    expect(await faultObjects(stack.id)).toEqual([{ element: 'keep', revision: 'v1' }]);
  });

  it('marks a stop that stopped some elements PARTIALLY_STOPPED', async () => {
    const templateId = await l.createTemplate(faultTemplate({ base: { properties: { failOn: ['stop'], permanent: true } }, top: { dependsOn: ['base'] }, side: {} }));
    const { stack } = await l.createStack({ templateId });
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    const partial = await l.waitFor(stack.id);
    // top stops first (reverse order); base then fails while side, in the same wave, still stops.
    expect(partial.status).toBe('PARTIALLY_STOPPED');
    expect(partial.actionState).toBe('FAILED');
  });

  it('keeps a stack whose delete failed, ABNORMAL with the element named; force delete marks it DELETED and lists what was left', async () => {
    const templateId = await l.createTemplate(faultTemplate({ stuck: { properties: { failOn: ['delete'], permanent: true } }, free: {} }));
    const { stack } = await l.createStack({ templateId });
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    const failed = await l.waitFor(stack.id);
    expect(failed).toMatchObject({ status: 'ABNORMAL', action: 'DELETE', actionState: 'FAILED' });
    expect(failed.statusReason).toMatch(/stuck/);

    expect((await l.remove(stack.id, true)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id);
    const last = await dbRows(`select type, message from stack_events where stack_id = $1 order by seq desc limit 1`, [stack.id]);
    expect(last[0].type).toBe('STACK_DELETED');
    expect(last[0].message).toMatch(/left behind.*stuck/);
    const deleted = await l.stack(stack.id);
    expect(deleted).toMatchObject({ status: 'DELETED', actionState: 'COMPLETE' });
    expect(deleted!.statusReason).toMatch(/left behind.*stuck/);
    expect((await faultObjects(stack.id)).map((o) => o.element)).toEqual(['stuck']);
  });
});

describe('live', () => {
  it("streams the install's events to a graphql-ws client on 127.0.0.1, in order, while it runs", async () => {
    const templateId = await l.createTemplate(
      faultTemplate({ first: { properties: { sleepMs: 300 } }, second: { properties: { sleepMs: 300 }, dependsOn: ['first'] }, third: { properties: { sleepMs: 300 }, dependsOn: ['second'] } }),
    );
    const { stack } = await l.createStack({ templateId, deploy: false });
    const client = createClient({
      url: l.t.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${l.tenant.viewer}` },
      retryAttempts: 0,
    });
    const received: { type: string; element: string | null; statusWhenReceived?: string }[] = [];
    const subscription = client.iterate<{ stackEvents: { type: string; element: string | null } }>({
      query: 'subscription($id: ID!) { stackEvents(stackId: $id) { type element } }',
      variables: { id: stack.id },
    });
    const collecting = (async () => {
      for await (const message of subscription) {
        const event = message.data!.stackEvents;
        received.push({ ...event, ...(received.length === 0 ? { statusWhenReceived: (await l.stack(stack.id))!.status } : {}) });
        if (event.type === 'ACTION_COMPLETED') break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await l.execute(stack.id, 'INSTALL')).__typename).toBe('ExecuteStackActionSuccess');
    await Promise.race([collecting, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(received)}`)), 30_000))]);
    await client.dispose();

    // Live: the first event arrived while the install was still running.
    expect(received[0].statusWhenReceived).toBe('PROCESSING');
    // In order and without gaps: exactly what the events connection holds after STACK_CREATED.
    const stored = (await l.events(stack.id)).filter((e) => e.type !== 'STACK_CREATED');
    expect(received.map((e) => `${e.type}:${e.element ?? ''}`)).toEqual(stored.map((e) => `${e.type}:${e.element ?? ''}`));
    expect(received.map((e) => e.type)).toEqual([
      'ACTION_STARTED',
      'ELEMENT_CREATE_STARTED',
      'ELEMENT_CREATE_SUCCEEDED',
      'ELEMENT_CREATE_STARTED',
      'ELEMENT_CREATE_SUCCEEDED',
      'ELEMENT_CREATE_STARTED',
      'ELEMENT_CREATE_SUCCEEDED',
      'ACTION_COMPLETED',
    ]);
  });
});

describe('one action at a time', () => {
  it('answers a second action with StackBusy while one runs', async () => {
    const templateId = await l.createTemplate(faultTemplate({ slow: { properties: { sleepMs: 3000 } } }));
    const { stack } = await l.createStack({ templateId });
    const busy = await l.execute(stack.id, 'STOP');
    expect(busy.__typename).toBe('StackBusy');
    expect((await l.remove(stack.id)).__typename).toBe('StackBusy');
    expect((await l.update(stack.id, { inputs: {} })).__typename).toBe('StackBusy');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
  });

  it('runs one workflow for a clientRequestToken sent 10 times at once', async () => {
    const templateId = await l.createTemplate(faultTemplate({ only: { properties: { sleepMs: 500 } } }));
    const { stack } = await l.createStack({ templateId, deploy: false });
    const results = await Promise.all(Array.from({ length: 10 }, () => l.execute(stack.id, 'INSTALL', 'install-once')));
    expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('ExecuteStackActionSuccess'));
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    const runs = [];
    for await (const run of l.w.temporal.client.workflow.list({ query: `WorkflowId = 'stack-${stack.id}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(eventsOfType(await l.events(stack.id), 'ACTION_STARTED')).toHaveLength(1);
  });

  it('gives one stack for a createStack clientRequestToken sent 10 times at once', async () => {
    const templateId = await l.createTemplate(faultTemplate({ only: {} }));
    const name = `once-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => l.createStack({ templateId, name, clientRequestToken: 'create-once' })));
    expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('CreateStackSuccess'));
    expect(new Set(results.map((r) => r.stack.id)).size).toBe(1);
    expect((await l.waitFor(results[0].stack.id)).status).toBe('NORMAL');
    const runs = [];
    for await (const run of l.w.temporal.client.workflow.list({ query: `WorkflowId = 'stack-${results[0].stack.id}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
  });
});
