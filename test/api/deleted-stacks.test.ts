// Deleted stacks stay readable: after a finished delete the record is DELETED (events, last outputs,
// elements as they ended), listed only on request, its name free for a new stack, no change
// accepted, no quota used, invisible to other tenants, announced live, and purged past retention.
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, type TestTenant } from '../helpers/app.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

let l: Lifecycle;
let other: TestTenant;
let templateId: string;
beforeAll(async () => {
  // One day of retention: the purge test moves a deletion two days back.
  l = await startLifecycle('deleted', { workerConfig: { deletedStackRetentionDays: 1 } });
  other = await createTenantWithUsers(l.t, 'deleted-other');
  templateId = await l.createTemplate(faultTemplate({ app: { properties: { revision: 'r1' } } }, { outputs: { token: { value: { get_attribute: ['app', 'token'] } } } }));
});
afterAll(async () => l?.close());

async function gql(token: string, query: string, variables?: Record<string, unknown>) {
  const res = await l.t.gql(token, query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

async function dbRows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const DETAIL = `id name status action actionState allowedActions deletedAt outputs { name value } elements { name status }
  events(first: 100) { edges { node { type message } } }`;

/** A stack installed and then deleted (the delete finished). */
async function deletedStack(name = `gone-${randomUUID().slice(0, 8)}`): Promise<{ id: string; name: string }> {
  const created = await l.createStack({ templateId, name });
  expect(created.__typename).toBe('CreateStackSuccess');
  expect((await l.waitFor(created.stack.id)).status).toBe('NORMAL');
  expect((await l.remove(created.stack.id)).__typename).toBe('DeleteStackSuccess');
  await l.waitGone(created.stack.id);
  return { id: created.stack.id, name };
}

const names = async (token: string, filter: Record<string, unknown>): Promise<string[]> =>
  (await gql(token, `query($filter: StackFilter) { stacks(first: 100, filter: $filter) { edges { node { name status } } } }`, { filter })).stacks.edges.map(
    (edge: { node: { name: string } }) => edge.node.name,
  );

describe('a deleted stack', () => {
  it('is read by id: status DELETED, its events to STACK_DELETED, its outputs as last seen, nothing allowed', async () => {
    const { id, name } = await deletedStack();
    const { stack } = await gql(l.tenant.viewer, `query($id: ID) { stack(id: $id) { ${DETAIL} } }`, { id });
    expect(stack).toMatchObject({ id, name, status: 'DELETED', action: 'DELETE', actionState: 'COMPLETE', allowedActions: [] });
    expect(Date.now() - Date.parse(stack.deletedAt)).toBeLessThan(60_000);
    expect(stack.outputs).toEqual([{ name: 'token', value: 'token-app' }]);
    expect(stack.elements).toEqual([{ name: 'app', status: 'DELETE_COMPLETE' }]);
    const types = stack.events.edges.map((edge: { node: { type: string } }) => edge.node.type);
    expect(types[0]).toBe('STACK_DELETED');
    expect(types).toEqual(expect.arrayContaining(['STACK_CREATED', 'ACTION_COMPLETED', 'ACTION_STARTED']));
    // By name: only a live stack answers.
    expect((await gql(l.tenant.viewer, `query($name: String) { stack(name: $name) { id } }`, { name })).stack).toBeNull();
  });

  it('is listed only with includeDeleted (or a DELETED status filter)', async () => {
    const { name } = await deletedStack();
    expect(await names(l.tenant.viewer, { name })).toEqual([]);
    expect(await names(l.tenant.viewer, { name, includeDeleted: false })).toEqual([]);
    expect(await names(l.tenant.viewer, { name, includeDeleted: true })).toEqual([name]);
    expect(await names(l.tenant.viewer, { name, status: 'DELETED' })).toEqual([name]);
  });

  it('leaves its name free: a new stack takes it, and stack(name) finds the live one', async () => {
    const first = await deletedStack();
    const second = await l.createStack({ templateId, name: first.name, deploy: false });
    expect(second.__typename).toBe('CreateStackSuccess');
    expect(second.stack.id).not.toBe(first.id);
    expect((await gql(l.tenant.viewer, `query($name: String) { stack(name: $name) { id status } }`, { name: first.name })).stack).toEqual({ id: second.stack.id, status: 'INITIAL' });
    // A second live stack of that name is still refused.
    expect((await l.createStack({ templateId, name: first.name, deploy: false })).__typename).toBe('NameTaken');
    expect(await names(l.tenant.viewer, { name: first.name, includeDeleted: true })).toEqual([first.name, first.name]);
  });

  it('answers every mutation with NotFound, saying it was deleted', async () => {
    const { id } = await deletedStack();
    const token = l.tenant.operator;
    const notFound = '__typename ... on Error { message }';
    const results = [
      (await gql(token, `mutation($id: ID!) { executeStackAction(input: { stackId: $id, action: START }) { ${notFound} } }`, { id })).executeStackAction,
      (await gql(token, `mutation($id: ID!) { executeStackAction(input: { stackId: $id, action: INSTALL }) { ${notFound} } }`, { id })).executeStackAction,
      (await gql(token, `mutation($id: ID!) { deleteStack(input: { stackId: $id }) { ${notFound} } }`, { id })).deleteStack,
      (await gql(token, `mutation($id: ID!) { deleteStack(input: { stackId: $id, force: true }) { ${notFound} } }`, { id })).deleteStack,
      (await gql(token, `mutation($id: ID!) { updateStack(input: { stackId: $id, inputs: {} }) { ${notFound} } }`, { id })).updateStack,
      (await gql(token, `mutation($id: ID!) { previewStackUpdate(input: { stackId: $id, inputs: {} }) { ${notFound} } }`, { id })).previewStackUpdate,
      (await gql(token, `mutation($id: ID!) { cancelStackAction(input: { stackId: $id }) { ${notFound} } }`, { id })).cancelStackAction,
      (await gql(token, `mutation($id: ID!) { exportStackInputs(input: { stackId: $id, format: YAML }) { ${notFound} } }`, { id })).exportStackInputs,
    ];
    for (const result of results) {
      expect(result.__typename).toBe('NotFound');
      expect(result.message).toMatch(/was deleted/);
    }
    expect((await l.stack(id))!.status).toBe('DELETED');
  });

  it('uses no quota', async () => {
    const before = (await gql(l.tenant.viewer, `{ quota { stacksUsed } }`)).quota.stacksUsed;
    const created = await l.createStack({ templateId, deploy: false });
    expect((await gql(l.tenant.viewer, `{ quota { stacksUsed } }`)).quota.stacksUsed).toBe(before + 1);
    expect((await l.remove(created.stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(created.stack.id);
    expect((await gql(l.tenant.viewer, `{ quota { stacksUsed } }`)).quota.stacksUsed).toBe(before);
    // With the quota at what is live, one more stack is refused; deleted ones do not count.
    await gql(l.t.adminToken, `mutation($id: ID!, $n: Int) { setQuota(input: { tenantId: $id, stacks: $n }) { __typename } }`, { id: l.tenant.id, n: before + 1 });
    const allowed = await l.createStack({ templateId, deploy: false });
    expect(allowed.__typename).toBe('CreateStackSuccess');
    expect((await l.createStack({ templateId, deploy: false })).__typename).toBe('QuotaExceeded');
    await gql(l.t.adminToken, `mutation($id: ID!) { setQuota(input: { tenantId: $id, stacks: 200 }) { __typename } }`, { id: l.tenant.id });
  });

  it('stays invisible to another tenant', async () => {
    const { id, name } = await deletedStack();
    expect((await gql(other.viewer, `query($id: ID) { stack(id: $id) { id } }`, { id })).stack).toBeNull();
    expect(await names(other.viewer, { name, includeDeleted: true })).toEqual([]);
    const res = await gql(other.operator, `mutation($id: ID!) { deleteStack(input: { stackId: $id }) { __typename ... on Error { message } } }`, { id });
    expect(res.deleteStack.__typename).toBe('NotFound');
    expect(res.deleteStack.message).not.toMatch(/was deleted/);
  });

  it('is announced as DELETED by stackChanged and stacksChanged', async () => {
    const created = await l.createStack({ templateId, deploy: false });
    const client = createClient({ url: l.t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${l.tenant.viewer}` }, retryAttempts: 0 });
    const untilDeleted = async (query: string, variables: Record<string, unknown>, pick: (data: Record<string, { id: string; status: string }>) => { id: string; status: string }): Promise<string[]> => {
      const seen: string[] = [];
      for await (const message of client.iterate<Record<string, { id: string; status: string }>>({ query, variables })) {
        const change = pick(message.data!);
        if (change.id !== created.stack.id) continue;
        seen.push(change.status);
        if (change.status === 'DELETED') break;
      }
      return seen;
    };
    const one = untilDeleted('subscription($id: ID!) { stackChanged(stackId: $id) { id status } }', { id: created.stack.id }, (data) => data.stackChanged);
    const all = untilDeleted('subscription { stacksChanged { id status } }', {}, (data) => data.stacksChanged);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await l.remove(created.stack.id)).__typename).toBe('DeleteStackSuccess');
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no DELETED announcement within 30 s')), 30_000));
    const [seenOne, seenAll] = await Promise.race([Promise.all([one, all]), timeout]);
    await client.dispose();
    expect(seenOne.at(-1)).toBe('DELETED');
    expect(seenAll.at(-1)).toBe('DELETED');
  });

  it('does not hold its template: deleting the template removes the deleted stacks made from it', async () => {
    const own = await l.createTemplate(faultTemplate({ app: {} }));
    const created = await l.createStack({ templateId: own, deploy: false });
    expect((await l.remove(created.stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(created.stack.id);
    const res = await gql(l.tenant.operator, `mutation($id: ID!) { deleteTemplate(input: { templateId: $id }) { __typename ... on Error { message } } }`, { id: own });
    expect(res.deleteTemplate.__typename).toBe('DeleteTemplateSuccess');
    expect(await l.stack(created.stack.id)).toBeNull();
  });
});

describe('retention', () => {
  it('the maintenance workflow removes deleted stacks past retention, with their events and elements, and keeps the others', async () => {
    const old = await deletedStack();
    const recent = await deletedStack();
    // Two days ago: past the one day this worker keeps deleted stacks.
    await dbRows(`update stacks set deleted_at = now() - interval '2 days' where id = $1`, [old.id]);
    const result = await l.w.temporal.client.workflow.execute('maintenanceWorkflow', { taskQueue: l.taskQueue, workflowId: `maintenance-deleted-${randomUUID()}`, workflowExecutionTimeout: '1 minute' });
    expect(result.deletedStacksPurged).toBeGreaterThanOrEqual(1);
    expect(await l.stack(old.id)).toBeNull();
    expect(await dbRows('select 1 from stack_events where stack_id = $1', [old.id])).toEqual([]);
    expect(await dbRows('select 1 from stack_elements where stack_id = $1', [old.id])).toEqual([]);
    expect((await l.stack(recent.id))!.status).toBe('DELETED');
    expect((await dbRows('select 1 from stack_events where stack_id = $1', [recent.id])).length).toBeGreaterThan(0);
  });
});
