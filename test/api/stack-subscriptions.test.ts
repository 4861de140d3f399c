import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackSchema } from '../../src/db/entities/index.js';
import { publish } from '../../src/events/publish.js';
import { recordStackEvent } from '../../src/events/stack-events.js';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';

const TASK_QUEUE = `aos-api-stack-live-${randomBytes(4).toString('hex')}`;
const TEMPLATE = 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates:\n  one:\n    type: CTC.Core.RandomString\n  two:\n    type: CTC.Core.RandomString\n';

let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;
let templateId: string;
let otherTemplateId: string;
const clients: Client[] = [];
const startedStacks = new Set<string>();

function wsClient(token: string): Client {
  const client = createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Collects `count` results of a subscription (or fails after 10 s). */
function collect<T>(client: Client, query: string, variables: Record<string, unknown>, count: number) {
  const received: T[] = [];
  const errors: unknown[] = [];
  const subscription = client.iterate<Record<string, T>>({ query, variables });
  const done = (async () => {
    for await (const message of subscription) {
      if (message.errors) errors.push(...message.errors);
      if (message.data) received.push(Object.values(message.data)[0]);
      if (received.length + errors.length >= count) break;
    }
  })();
  const finished = Promise.race([
    done,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify({ received, errors })}`)), 10_000)),
  ]);
  return { received, errors, finished };
}

/** A subscription is live once acknowledged and its LISTEN handler is in place. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

async function newStack(token: string, template = templateId): Promise<string> {
  const res = await t.gql(token, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { id } } } }`, {
    input: { name: uniqueName('live'), templateId: template, deploy: false },
  });
  return res.data!.createStack.stack.id;
}

async function newTemplate(token: string): Promise<string> {
  const res = await t.gql(token, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ... on CreateTemplateSuccess { template { id } } } }`, {
    input: { name: uniqueName('live'), version: '1', body: TEMPLATE },
  });
  return res.data!.createTemplate.template.id;
}

/** What a worker does: write with its own EntityManager, announce over NOTIFY. */
async function workerMarks(stackId: string, tenantId: string, status: 'NORMAL' | 'STOPPED') {
  const em = t.app.orm.em.fork();
  await em.nativeUpdate(StackSchema, { id: stackId }, { status, action: null, actionState: null });
  await publish(em, 'stack.changed', { tenantId, stackId });
}

beforeAll(async () => {
  t = await startTestApp({ taskQueue: TASK_QUEUE });
  tenant = await createTenantWithUsers(t, 'stk-live');
  other = await createTenantWithUsers(t, 'stk-live-other');
  templateId = await newTemplate(tenant.operator);
  otherTemplateId = await newTemplate(other.operator);
});

afterAll(async () => {
  await Promise.all(clients.map(async (client) => client.dispose()));
  await Promise.all([...startedStacks].map((id) => t.app.temporal.client.workflow.getHandle(`stack-${id}`).terminate('test over').catch(() => undefined)));
  await t?.close();
});

describe('stackEvents', () => {
  it("delivers the stack's events written by another EntityManager, and nothing of other stacks", async () => {
    const stackId = await newStack(tenant.operator);
    const neighbour = await newStack(tenant.operator);
    type Event = { id: string; stackId: string; type: string; element: string | null; status: string | null; message: string; cursor: string };
    const live = collect<Event>(wsClient(tenant.viewer), 'subscription($id: ID!) { stackEvents(stackId: $id) { id stackId type element status message cursor } }', { id: stackId }, 2);
    await settle();
    const em = t.app.orm.em.fork();
    await recordStackEvent(em, { tenantId: tenant.id, stackId: neighbour, type: 'ACTION_STARTED', message: 'not for this subscription' });
    const first = await recordStackEvent(em, { tenantId: tenant.id, stackId, type: 'ELEMENT_CREATE_STARTED', element: 'one', status: 'CREATE_IN_PROGRESS', message: 'creating one' });
    await recordStackEvent(em, { tenantId: tenant.id, stackId, type: 'ELEMENT_CREATE_FAILED', element: 'one', status: 'CREATE_FAILED', message: 'one failed: boom' });
    await live.finished;
    expect(live.errors).toEqual([]);
    expect(live.received.map((e) => `${e.type}:${e.element}:${e.status}:${e.message}`)).toEqual([
      'ELEMENT_CREATE_STARTED:one:CREATE_IN_PROGRESS:creating one',
      'ELEMENT_CREATE_FAILED:one:CREATE_FAILED:one failed: boom',
    ]);
    expect(live.received[0]).toMatchObject({ id: first.id, stackId });
    // A client that dropped after the first event catches up from its cursor, without gaps.
    const caughtUp = await t.gql(tenant.viewer, 'query($id: ID, $since: String) { stack(id: $id) { events(since: $since) { edges { node { type } } } } }', { id: stackId, since: live.received[0].cursor });
    expect(caughtUp.data!.stack.events.edges).toEqual([{ node: { type: 'ELEMENT_CREATE_FAILED' } }]);
  });

  it("refuses another tenant's stack (and an unknown one) with NOT_FOUND", async () => {
    const foreign = await newStack(other.operator, otherTemplateId);
    for (const id of [foreign, randomUUID()]) {
      const live = collect(wsClient(tenant.viewer), 'subscription($id: ID!) { stackEvents(stackId: $id) { id } }', { id }, 1);
      await live.finished;
      expect(live.received).toEqual([]);
      expect(live.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    }
  });

  it('releases its feed stream and cohort when the client unsubscribes', async () => {
    const streams = () => t.app.services.live.streamCount();
    const before = streams();
    const cohortsBefore = t.app.cohorts.size();
    const stackId = await newStack(tenant.operator);
    const client = wsClient(tenant.viewer);
    const subscription = client.iterate({ query: 'subscription($id: ID!) { stackEvents(stackId: $id) { id } }', variables: { id: stackId } });
    const waiting = subscription.next();
    await settle();
    expect(streams()).toBe(before + 1);
    expect(t.app.cohorts.size()).toBe(cohortsBefore + 1);
    await subscription.return?.();
    await waiting.catch(() => undefined);
    await settle();
    expect(streams()).toBe(before);
    expect(t.app.cohorts.size()).toBe(cohortsBefore);
  });
});

describe('stackChanged and stacksChanged', () => {
  it('delivers the reloaded stack when a worker announces a change', async () => {
    const stackId = await newStack(tenant.operator);
    const neighbour = await newStack(tenant.operator);
    type Changed = { id: string; status: string; elements: { name: string }[]; allowedActions: string[] };
    const subscription = wsClient(tenant.viewer).iterate<{ stackChanged: Changed }>({
      query: 'subscription($id: ID!) { stackChanged(stackId: $id) { id status allowedActions elements { name } } }',
      variables: { id: stackId },
    });
    const next = async () => {
      const result = await Promise.race([subscription.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no change delivered')), 10_000))]);
      return result.value!.data!.stackChanged;
    };
    await settle();
    const first = next();
    await workerMarks(neighbour, tenant.id, 'NORMAL');
    await workerMarks(stackId, tenant.id, 'NORMAL');
    expect(await first).toMatchObject({ id: stackId, status: 'NORMAL', elements: [{ name: 'one' }, { name: 'two' }] });
    // The row is reloaded when delivered: a subscriber sees the state as it is then.
    const second = next();
    await workerMarks(stackId, tenant.id, 'STOPPED');
    expect(await second).toMatchObject({ id: stackId, status: 'STOPPED', allowedActions: ['START', 'DELETE', 'FORCE_DELETE'] });
    await subscription.return?.();
  });

  it("delivers every change of the tenant's stacks, skips purged ones, and never another tenant's", async () => {
    const mine = await newStack(tenant.operator);
    const theirs = await newStack(other.operator, otherTemplateId);
    const installed = await newStack(tenant.operator);
    startedStacks.add(installed);
    type Changed = { id: string; status: string; action: string | null };
    const live = collect<Changed>(wsClient(tenant.viewer), 'subscription { stacksChanged { id status action } }', {}, 2);
    await settle();
    await workerMarks(theirs, other.id, 'NORMAL');
    // A stack purged before the notification is read: nothing to send.
    await publish(t.app.orm.em.fork(), 'stack.changed', { tenantId: tenant.id, stackId: randomUUID() });
    await workerMarks(mine, tenant.id, 'NORMAL');
    // An API mutation announces its change the same way.
    const res = await t.gql(tenant.operator, 'mutation($id: ID!) { executeStackAction(input: { stackId: $id, action: INSTALL }) { __typename } }', { id: installed });
    expect(res.data!.executeStackAction.__typename).toBe('ExecuteStackActionSuccess');
    await live.finished;
    expect(live.received).toEqual([
      { id: mine, status: 'NORMAL', action: null },
      { id: installed, status: 'PROCESSING', action: 'INSTALL' },
    ]);
  });

  it("refuses stackChanged for another tenant's stack with NOT_FOUND", async () => {
    const foreign = await newStack(other.operator, otherTemplateId);
    const live = collect(wsClient(tenant.viewer), 'subscription($id: ID!) { stackChanged(stackId: $id) { id } }', { id: foreign }, 1);
    await live.finished;
    expect(live.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
  });
});
