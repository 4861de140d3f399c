// Containers that ignore SIGTERM (busybox httpd as PID 1): a stop or delete waits the element's
// stopGracePeriodSeconds once, then the engine kills them. The element step heartbeats through
// that wait, so Temporal never retries it: each STOP/DELETE event appears once and the action
// takes the grace plus little else. The platform default (AOS_DOCKER_STOP_TIMEOUT_SECONDS) is set
// far above the property here, so the timing also proves the property is the one applied; a
// cluster's registered default applies to elements that set none.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerHost, dockerSkipReason } from '../helpers/docker.js';
import { quickstartTemplate } from '../helpers/fixtures.js';
import { startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const GRACE_SECONDS = 3;
process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS = '20';

const skip = dockerSkipReason();
if (skip) console.log(skip);

let l: Lifecycle;
let docker: Docker;
let clusterId: string;
let templateId: string;

/** The quick-start with the grace set on the application. */
function templateWithGrace(): string {
  const text = quickstartTemplate().replace(/^(\s+)restartPolicy: Always$/m, `$1restartPolicy: Always\n$1stopGracePeriodSeconds: ${GRACE_SECONDS}`);
  if (!text.includes('stopGracePeriodSeconds')) throw new Error('the quick-start template changed: no restartPolicy line to put the grace beside');
  return text;
}

/** Events straight from the table: they outlive the stack, whatever the API shows of a deleted one. */
async function elementEvents(stackId: string, verb: string): Promise<{ type: string; message: string }[]> {
  return l.w.orm.em.fork().getConnection().execute<{ type: string; message: string }[]>(
    `select type, message from stack_events where stack_id = ? and type like ? order by seq`,
    [stackId, `ELEMENT_${verb}_%`],
  );
}

function expectEachOnce(events: { type: string; message: string }[], verb: string): void {
  const lines = events.map((e) => `${e.type} ${e.message}`);
  expect(lines, lines.join('\n')).toEqual(
    expect.arrayContaining([`ELEMENT_${verb}_STARTED nginx-app: ${verb.toLowerCase()} started`, `ELEMENT_${verb}_SUCCEEDED nginx-app: ${verb.toLowerCase()} succeeded`]),
  );
  expect(new Set(lines).size, lines.join('\n')).toBe(lines.length);
  expect(events.filter((e) => e.type.endsWith('_RETRYING') || e.type.endsWith('_FAILED'))).toEqual([]);
}

/**
 * When the action's last event was written (ms since the epoch): the action's own end, without
 * the polling that notices it. The database runs on this machine: one clock.
 */
async function lastEventAt(stackId: string, type: string): Promise<number> {
  const [row] = await l.w.orm.em.fork().getConnection().execute<{ ms: string }[]>(
    `select extract(epoch from time) * 1000 as ms from stack_events where stack_id = ? and type = ? order by seq desc limit 1`,
    [stackId, type],
  );
  if (!row) throw new Error(`no ${type} event for stack ${stackId}`);
  return Number(row.ms);
}

/** Until the delete is over: the stack is gone, or kept as DELETED. */
async function waitDeleted(stackId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await l.stack(stackId);
    if (!s || s.status === 'DELETED') return;
    if (Date.now() > deadline) throw new Error(`stack ${stackId} still ${s.status} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(skip !== null)('stopping and deleting containers that ignore SIGTERM', () => {
  beforeAll(async () => {
    l = await startLifecycle('docker-grace');
    docker = new Docker({ socketPath: dockerHost().replace(/^unix:\/\//, '') });
    const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id } } ... on Error { message } } }`, {
      input: { name: 'grace', kind: 'DOCKER', endpoint: dockerHost(), tenantId: l.tenant.id },
    });
    clusterId = res.data!.registerCluster.cluster.id;
    templateId = await l.createTemplate(templateWithGrace(), 'grace');
  });
  afterAll(async () => l?.close());

  it(`waits the element's ${GRACE_SECONDS} s grace once: each STOP and DELETE event once, each action grace + < 2 s`, async () => {
    const created = await l.createStack({ templateId, clusterId, inputs: { image: 'aos-test/httpd:1', instance: 2 } });
    const stack = await l.waitFor(created.stack.id, undefined, 120_000);
    expect(stack.status).toBe('NORMAL');
    const containers = await docker.listContainers({ all: true, filters: { label: [`aos.stack=${stack.id}`] } });
    expect(containers).toHaveLength(2);
    const inspected = await docker.getContainer(containers[0].Id).inspect();
    expect((inspected.Config as { StopTimeout?: number }).StopTimeout).toBe(GRACE_SECONDS);

    let started = Date.now();
    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id, undefined, 60_000)).status).toBe('STOPPED');
    const stopMs = (await lastEventAt(stack.id, 'ACTION_COMPLETED')) - started;
    expectEachOnce(await elementEvents(stack.id, 'STOP'), 'STOP');

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id, undefined, 60_000)).status).toBe('NORMAL');

    started = Date.now();
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await waitDeleted(stack.id);
    const deleteMs = (await lastEventAt(stack.id, 'STACK_DELETED')) - started;
    console.log(`with a ${GRACE_SECONDS} s stop grace (2 containers ignoring SIGTERM): stop took ${stopMs} ms, delete took ${deleteMs} ms`);
    expectEachOnce(await elementEvents(stack.id, 'DELETE'), 'DELETE');
    expect(await docker.listContainers({ all: true, filters: { label: [`aos.stack=${stack.id}`] } })).toHaveLength(0);
    expect(stopMs).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(stopMs).toBeLessThan(GRACE_SECONDS * 1000 + 2000);
    expect(deleteMs).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(deleteMs).toBeLessThan(GRACE_SECONDS * 1000 + 2000);
  }, 180_000);

  it('takes the grace registered with the cluster when the element sets none', async () => {
    const clusterGrace = 2;
    const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id stopGracePeriodSeconds } } ... on Error { message } } }`, {
      input: { name: 'grace-default', kind: 'DOCKER', endpoint: dockerHost(), tenantId: l.tenant.id, stopGracePeriodSeconds: clusterGrace },
    });
    expect(res.data!.registerCluster.cluster.stopGracePeriodSeconds).toBe(clusterGrace);
    const plainTemplate = await l.createTemplate(quickstartTemplate(), 'no-grace');
    const created = await l.createStack({ templateId: plainTemplate, clusterId: res.data!.registerCluster.cluster.id, inputs: { image: 'aos-test/httpd:1', instance: 1 } });
    const stack = await l.waitFor(created.stack.id, undefined, 120_000);
    expect(stack.status).toBe('NORMAL');
    const [container] = await docker.listContainers({ all: true, filters: { label: [`aos.stack=${stack.id}`] } });
    expect((await docker.getContainer(container.Id).inspect()).Config).toMatchObject({ StopTimeout: clusterGrace });

    const started = Date.now();
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await waitDeleted(stack.id);
    const deleteMs = (await lastEventAt(stack.id, 'STACK_DELETED')) - started;
    console.log(`with the cluster's ${clusterGrace} s stop grace (platform default 20 s): delete took ${deleteMs} ms`);
    expectEachOnce(await elementEvents(stack.id, 'DELETE'), 'DELETE');
    expect(deleteMs).toBeGreaterThanOrEqual(clusterGrace * 1000);
    expect(deleteMs).toBeLessThan(clusterGrace * 1000 + 2000);
  }, 180_000);
});
