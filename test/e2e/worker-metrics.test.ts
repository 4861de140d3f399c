import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../src/observability/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/observability/metrics-endpoint.js';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { startTestWorker, type TestWorker } from '../helpers/temporal.js';

const TEMPLATE = 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates:\n  secret:\n    type: CTC.Core.RandomString\n';

let worker: TestWorker;
let server: MetricsServer;
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  const taskQueue = `aos-test-metrics-${randomBytes(4).toString('hex')}`;
  // What src/worker.ts does: counters handed to the activities, served on their own port (0: any free one).
  const metrics = createWorkerMetrics();
  worker = await startTestWorker({ config: { taskQueue }, metrics, monitorIntervalMs: 0 });
  server = await startMetricsServer({ registry: metrics.registry, token: null }, { host: '127.0.0.1', port: 0 });
  t = await startTestApp({ taskQueue });
  tenant = await createTenantWithUsers(t, 'worker-metrics');
});

afterAll(async () => {
  await t?.close();
  await server?.close();
  await worker?.stop();
});

async function stackOf(id: string): Promise<{ status: string; actionState: string | null } | null> {
  const res = await t.gql(tenant.operator, `query($id: ID) { stack(id: $id) { status actionState } }`, { id });
  return res.data!.stack;
}

async function waitUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The worker's counters as its /metrics shows them: `series → value`. */
async function actionCounters(): Promise<Record<string, number>> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter((line) => line.startsWith('aos_workflow_actions_'));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]));
}

describe("the worker's /metrics", () => {
  it('counts an install and a delete once each, started and finished by outcome', async () => {
    const created = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ... on CreateTemplateSuccess { template { id } } } }`, {
      input: { name: uniqueName('metrics'), version: '1', body: TEMPLATE },
    });
    const templateId = created.data!.createTemplate.template.id;
    expect(await actionCounters()).toEqual({});

    const stack = await t.gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { ... on CreateStackSuccess { stack { id } } } }`, {
      input: { name: uniqueName('metrics'), templateId },
    });
    const stackId = stack.data!.createStack.stack.id;
    await waitUntil('install', () => stackOf(stackId), (s) => s?.status === 'NORMAL' && s.actionState === 'COMPLETE');
    // The counter moves once the activity's writes are done, a moment after the row says so.
    await waitUntil('the install counted', actionCounters, (c) => Object.keys(c).length === 2);
    expect(await actionCounters()).toEqual({
      'aos_workflow_actions_started_total{action="INSTALL"}': 1,
      'aos_workflow_actions_finished_total{action="INSTALL",outcome="completed"}': 1,
    });

    const removed = await t.gql(tenant.operator, `mutation($input: DeleteStackInput!) { deleteStack(input: $input) { __typename } }`, { input: { stackId } });
    expect(removed.data!.deleteStack.__typename).toBe('DeleteStackSuccess');
    await waitUntil('delete', () => stackOf(stackId), (s) => s === null || s.status === 'DELETED');
    await waitUntil('the delete counted', actionCounters, (c) => c['aos_workflow_actions_finished_total{action="DELETE",outcome="completed"}'] === 1);
    expect(await actionCounters()).toEqual({
      'aos_workflow_actions_started_total{action="INSTALL"}': 1,
      'aos_workflow_actions_started_total{action="DELETE"}': 1,
      'aos_workflow_actions_finished_total{action="INSTALL",outcome="completed"}': 1,
      'aos_workflow_actions_finished_total{action="DELETE",outcome="completed"}': 1,
    });
  });
});
