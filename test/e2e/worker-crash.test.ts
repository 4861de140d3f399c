import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { closeFaultDb, ensureFaultTables, faultObjects, registerFaultType } from '../helpers/fault-type.js';
import { faultTemplate, STACK_FIELDS, type StackView } from '../helpers/lifecycle.js';
import { startWorkerChild } from '../helpers/worker-child.js';

const taskQueue = `aos-crash-${randomBytes(4).toString('hex')}`;
let t: TestApp;
let tenant: TestTenant;
const children: ChildProcess[] = [];

const startWorkerProcess = (): Promise<ChildProcess> => startWorkerChild(taskQueue, children);

beforeAll(async () => {
  registerFaultType();
  await ensureFaultTables();
  t = await startTestApp({ taskQueue });
  tenant = await createTenantWithUsers(t, 'crash');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  await closeFaultDb();
});

async function stackOf(id: string): Promise<StackView> {
  const res = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { ${STACK_FIELDS} } }`, { id });
  return res.data!.stack as StackView;
}

describe('a worker killed with SIGKILL in the middle of an install', () => {
  it('is replaced and the install reaches NORMAL with every element created exactly once', async () => {
    const nodes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`e${String(i).padStart(2, '0')}`, { properties: { sleepMs: 400 } }]));
    const body = faultTemplate(nodes);
    const created = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ... on CreateTemplateSuccess { template { id } } } }`, {
      input: { name: 'thirty', version: '1', body },
    });
    const first = await startWorkerProcess();
    const res = await t.gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { id } } } }`, {
      input: { name: 'crash-30', templateId: created.data!.createTemplate.template.id },
    });
    const stackId = res.data!.createStack.stack.id as string;

    // Let it get part of the way, then kill it without warning.
    const deadline = Date.now() + 30_000;
    let done = 0;
    while (done < 5 && Date.now() < deadline) {
      done = (await stackOf(stackId)).elements.filter((e) => e.status === 'CREATE_COMPLETE').length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    const before = (await stackOf(stackId)).elements.filter((e) => e.status === 'CREATE_COMPLETE').length;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(30);

    await startWorkerProcess();
    const finished = Date.now() + 90_000;
    let stack = await stackOf(stackId);
    while (stack.status === 'PROCESSING' && Date.now() < finished) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stack = await stackOf(stackId);
    }
    expect(stack.status).toBe('NORMAL');
    expect(stack.elements.every((e) => e.status === 'CREATE_COMPLETE')).toBe(true);
    const objects = await faultObjects(stackId);
    expect(objects).toHaveLength(30);
    expect(new Set(objects.map((o) => o.element)).size).toBe(30);
  }, 180_000);
});
