// The kill-the-worker test on a real engine: a 10-container stack, the worker SIGKILLed part way,
// a new one started; no container is created twice or left behind.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { dockerHost, dockerSkipReason } from '../helpers/docker.js';
import { STACK_FIELDS, type StackView } from '../helpers/lifecycle.js';
import { startWorkerChild } from '../helpers/worker-child.js';

const skip = dockerSkipReason();
const taskQueue = `aos-dcrash-${randomBytes(4).toString('hex')}`;
const children: ChildProcess[] = [];
let t: TestApp;
let tenant: TestTenant;
let docker: Docker;
let stackId: string | undefined;

/** Ten applications of one container each, every one with its own NodePort. */
function tenApps(): string {
  const lines = ['tosca_definitions_version: ctc_tosca_version_1_0', 'node_templates:'];
  for (let i = 0; i < 10; i++) {
    lines.push(
      `  app${i}:`,
      '    type: CTC.ServiceStage.StatelessApplication',
      '    properties: {type: container, instances: 1, restartPolicy: Always}',
      `    requirements: [{package: {node: pkg${i}}}]`,
      `  pkg${i}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      '        image: aos-test/httpd:1',
      '        ports: [{containerPort: 80}]',
      '        serviceSpec: {type: NodePort, ports: [{protocol: TCP, port: 80}]}',
    );
  }
  return lines.join('\n');
}

async function stackOf(id: string): Promise<StackView> {
  const res = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { ${STACK_FIELDS} } }`, { id });
  return res.data!.stack as StackView;
}

describe.skipIf(skip !== null)('a worker killed in the middle of a 10-container install', () => {
  beforeAll(async () => {
    t = await startTestApp({ taskQueue });
    tenant = await createTenantWithUsers(t, 'dcrash');
    docker = new Docker({ socketPath: dockerHost().replace(/^unix:\/\//, '') });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    // A failed run must not leave containers that collide with the next one.
    if (docker && stackId) {
      const label = [`aos.stack=${stackId}`];
      for (const c of await docker.listContainers({ all: true, filters: { label } })) await docker.getContainer(c.Id).remove({ force: true });
      for (const n of await docker.listNetworks({ filters: { label } })) await docker.getNetwork(n.Id).remove();
    }
    await t?.close();
  });

  it('creates no container twice and leaves none behind', async () => {
    // Three at a time, so that the kill lands with some applications done and others not started.
    const env = { AOS_DOCKER_STOP_TIMEOUT_SECONDS: '1', AOS_ELEMENT_PARALLELISM: '3' };
    const cluster = await t.gql(t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id } } } }`, {
      input: { name: 'engine', kind: 'DOCKER', endpoint: dockerHost(), tenantId: tenant.id },
    });
    const template = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } ... on ValidationError { problems { path message } } } }`, {
      input: { name: 'ten', version: '1', body: tenApps() },
    });
    expect(template.data!.createTemplate.__typename).toBe('CreateTemplateSuccess');
    const first = await startWorkerChild(taskQueue, children, env);
    const created = await t.gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { id } } } }`, {
      input: { name: `ten-${randomBytes(3).toString('hex')}`, templateId: template.data!.createTemplate.template.id, clusterId: cluster.data!.registerCluster.cluster.id },
    });
    stackId = created.data!.createStack.stack.id as string;
    const label = [`aos.stack=${stackId}`];

    const deadline = Date.now() + 60_000;
    while ((await docker.listContainers({ all: true, filters: { label } })).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGKILL');
    const atKill = (await docker.listContainers({ all: true, filters: { label } })).length;
    if (atKill < 3) console.log(JSON.stringify(await stackOf(stackId), null, 1));
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThan(10);

    await startWorkerChild(taskQueue, children, env);
    const finished = Date.now() + 120_000;
    let stack = await stackOf(stackId);
    while (stack.status === 'PROCESSING' && Date.now() < finished) {
      await new Promise((r) => setTimeout(r, 250));
      stack = await stackOf(stackId);
    }
    if (stack.status !== 'NORMAL') {
      const events = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { events(first: 100) { edges { node { type element message } } } } }`, { id: stackId });
      console.log(JSON.stringify(events.data!.stack.events.edges.map((e: { node: unknown }) => e.node), null, 1));
    }
    expect(stack.status, stack.statusReason ?? '').toBe('NORMAL');
    const containers = await docker.listContainers({ all: true, filters: { label } });
    expect(containers).toHaveLength(10);
    expect(new Set(containers.map((c) => c.Names[0])).size).toBe(10);
    expect(containers.every((c) => c.State === 'running')).toBe(true);
    console.log(`containers at the kill: ${atKill}; after the new worker: ${containers.length}`);

    await t.gql(tenant.operator, `mutation($id: ID!) { deleteStack(input: { stackId: $id }) { __typename } }`, { id: stackId });
    const gone = Date.now() + 120_000;
    // Deleted stacks stay readable as DELETED.
    const live = async () => (await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { status } }`, { id: stackId })).data!.stack?.status !== 'DELETED';
    while ((await live()) && Date.now() < gone) await new Promise((r) => setTimeout(r, 250));
    expect(await live()).toBe(false);
    expect(await docker.listContainers({ all: true, filters: { label } })).toHaveLength(0);
    expect((await docker.listNetworks({ filters: { label } })).length).toBe(0);
  }, 300_000);
});
