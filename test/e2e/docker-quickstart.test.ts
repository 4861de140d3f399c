// The product guide's quick-start, unchanged, on a real Docker engine through the whole product:
// GraphQL API → Temporal workflows → Docker driver → containers reached on 127.0.0.1.
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerHost, dockerSkipReason, httpGet, pageAt, uniqueRunId } from '../helpers/docker.js';
import { quickstartTemplate } from '../helpers/fixtures.js';
import { startLifecycle, type Lifecycle, type StackView } from '../helpers/lifecycle.js';

// busybox httpd runs as PID 1 and ignores SIGTERM: every stop would wait the whole grace period.
process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS ??= '1';

const skip = dockerSkipReason();
if (skip) console.log(skip);

const MONITOR_MS = 1500;
let l: Lifecycle;
let docker: Docker;
let clusterId: string;
let templateId: string;

function socketPathOf(endpoint: string): string {
  return endpoint.replace(/^unix:\/\//, '');
}

/** The platform's engine (a unix socket) reaches the tenant through the platform administrator: trusted. */
async function registerCluster(name: string, endpoint: string): Promise<string> {
  const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on RegisterClusterSuccess { cluster { id healthy } } ... on Error { message } } }`, {
    input: { name, kind: 'DOCKER', endpoint, tenantId: l.tenant.id },
  });
  const cluster = res.data!.registerCluster.cluster;
  if (!cluster) throw new Error(JSON.stringify(res));
  return cluster.id;
}

async function containersOf(stackId: string, all = true): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all, filters: { label: [`aos.stack=${stackId}`] } });
}

async function ownedObjects(stackId: string): Promise<number> {
  const label = [`aos.stack=${stackId}`];
  const [containers, volumes, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listVolumes({ filters: { label } }),
    docker.listNetworks({ filters: { label } }),
  ]);
  return containers.length + (volumes.Volumes?.length ?? 0) + networks.length;
}

function nodePortOf(stack: StackView): number {
  const output = stack.outputs.find((o) => o.name === 'nginx-NodePort');
  return Number(output?.value);
}

async function install(inputs: Record<string, unknown>, extra: Record<string, unknown> = {}, cluster = clusterId): Promise<StackView> {
  const created = await l.createStack({ templateId, clusterId: cluster, inputs, ...extra });
  if (created.__typename !== 'CreateStackSuccess') throw new Error(JSON.stringify(created));
  return l.waitFor(created.stack.id, undefined, 180_000);
}

describe.skipIf(skip !== null)('the quick-start on a real Docker engine', () => {
  beforeAll(async () => {
    l = await startLifecycle('docker', { monitorIntervalMs: MONITOR_MS });
    docker = new Docker({ socketPath: socketPathOf(dockerHost()) });
    clusterId = await registerCluster('local', dockerHost());
    templateId = await l.createTemplate(quickstartTemplate(), 'nginx-quickstart');
  });
  afterAll(async () => l?.close());

  it('installs with instance = 2, serves the page on the output NodePort, and lives through stop, start, scale, image change and delete', async () => {
    const started = Date.now();
    const stack = await install({ image: 'aos-test/httpd:1', instance: 2 });
    console.log(`quick-start install (2 instances) took ${Date.now() - started} ms`);
    expect(stack.status).toBe('NORMAL');
    const port = nodePortOf(stack);
    expect(port).toBeGreaterThan(0);
    expect(await pageAt(port)).toContain('AOS test page v1');
    expect(await containersOf(stack.id)).toHaveLength(2);

    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('STOPPED');
    expect(await containersOf(stack.id, false)).toHaveLength(0);
    await expect(httpGet('127.0.0.1', port, '/', 1000)).rejects.toBeDefined();

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect(await pageAt(port)).toContain('AOS test page v1');

    const before = (await containersOf(stack.id)).map((c) => c.Id).sort();
    expect((await l.update(stack.id, { inputs: { instance: 3 } })).__typename).toBe('UpdateStackSuccess');
    const scaled = await l.waitFor(stack.id, undefined, 120_000);
    expect(scaled).toMatchObject({ status: 'NORMAL', revision: 2 });
    const after = (await containersOf(stack.id)).map((c) => c.Id);
    expect(after).toHaveLength(3);
    expect(after).toEqual(expect.arrayContaining(before));

    expect((await l.update(stack.id, { inputs: { image: 'aos-test/httpd:2' } })).__typename).toBe('UpdateStackSuccess');
    const replaced = await l.waitFor(stack.id, undefined, 120_000);
    expect(replaced).toMatchObject({ status: 'NORMAL', revision: 3 });
    const images = (await containersOf(stack.id)).map((c) => c.Image);
    expect(images).toEqual(['aos-test/httpd:2', 'aos-test/httpd:2', 'aos-test/httpd:2']);
    expect(nodePortOf(replaced)).toBe(port);
    expect(await pageAt(port)).toContain('AOS test page v2');

    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id, 120_000);
    expect(await ownedObjects(stack.id)).toBe(0);
  }, 300_000);

  it('raises an alarm within two monitor periods when a container is killed from outside; START clears it', async () => {
    const stack = await install({ image: 'aos-test/httpd:1', instance: 1 });
    expect(stack.status).toBe('NORMAL');
    const [container] = await containersOf(stack.id);
    // Docker's restart policy would bring it back; take it away for good.
    await docker.getContainer(container.Id).update({ RestartPolicy: { Name: 'no' } });
    await docker.getContainer(container.Id).kill();
    const killedAt = Date.now();
    const sick = await l.waitFor(stack.id, (s) => s.status === 'ABNORMAL', 2 * MONITOR_MS + 5_000);
    console.log(`killed container noticed after ${Date.now() - killedAt} ms (monitor period ${MONITOR_MS} ms)`);
    expect(sick.elements.find((e) => e.name === 'nginx-app')!.health).toBe('ABNORMAL');
    const alarms = await l.t.gql(l.tenant.viewer, `query($id: ID) { stack(id: $id) { alarms { element message clearedAt } } }`, { id: stack.id });
    const open = alarms.data!.stack.alarms.filter((a: { clearedAt: string | null }) => a.clearedAt === null);
    expect(open).toHaveLength(1);
    expect(open[0].element).toBe('nginx-app');

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    await l.waitFor(stack.id, (s) => s.status === 'NORMAL' && s.actionState === 'COMPLETE', 60_000);
    await pageAt(nodePortOf(sick));
    const openAlarms = async (): Promise<number> => {
      const res = await l.t.gql(l.tenant.viewer, `query($id: ID) { stack(id: $id) { status alarms { clearedAt } } }`, { id: stack.id });
      return res.data!.stack.alarms.filter((a: { clearedAt: string | null }) => a.clearedAt === null).length;
    };
    const deadline = Date.now() + 2 * MONITOR_MS + 5_000;
    while ((await openAlarms()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openAlarms()).toBe(0);
    expect((await l.stack(stack.id))!.status).toBe('NORMAL');
    await l.remove(stack.id);
    await l.waitGone(stack.id, 120_000);
  }, 180_000);

  it('fails on an unreachable registry naming the image: rolled back to INITIAL, nothing left; without autoRollback ABNORMAL, and delete cleans up', async () => {
    const image = '127.0.0.1:5999/wuhu/nginx:latest';
    const rolled = await install({ image, instance: 1 });
    expect(rolled).toMatchObject({ status: 'INITIAL', actionState: 'FAILED' });
    const failure = (await l.events(rolled.id)).find((e) => e.type === 'ELEMENT_CREATE_FAILED');
    expect(failure?.message).toContain(image);
    expect(await ownedObjects(rolled.id)).toBe(0);

    const kept = await install({ image, instance: 1 }, { autoRollback: false });
    expect(kept).toMatchObject({ status: 'ABNORMAL', actionState: 'FAILED' });
    expect(kept.statusReason).toContain(image);
    expect((await l.remove(kept.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(kept.id, 120_000);
    expect(await ownedObjects(kept.id)).toBe(0);
  }, 180_000);

  it('force-deletes while the engine is unreachable: the record goes and an event lists what was left', async () => {
    // A cluster reached through a socket of our own that forwards to the engine: closing it makes
    // the engine unreachable for this cluster only.
    const proxyPath = `/tmp/aos-proxy-${uniqueRunId()}.sock`;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = createConnection(socketPathOf(dockerHost()));
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(proxyPath, resolve));
    const viaProxy = await registerCluster(`proxied-${uniqueRunId()}`, `unix://${proxyPath}`);
    const stack = await install({ image: 'aos-test/httpd:1', instance: 1 }, {}, viaProxy);
    expect(stack.status).toBe('NORMAL');
    const containers = await containersOf(stack.id);
    expect(containers).toHaveLength(1);

    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    if (existsSync(proxyPath)) rmSync(proxyPath);

    expect((await l.remove(stack.id, true)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id, 120_000);
    const events = await l.t.app.orm.em.fork().getConnection().execute(`select type, message from stack_events where stack_id = ? order by seq desc limit 1`, [stack.id]);
    expect(events[0].type).toBe('STACK_DELETED');
    expect(events[0].message).toMatch(/left behind/);
    expect(events[0].message).toContain('nginx-app');

    // What was left is really there; clean it up through the engine directly.
    expect(await ownedObjects(stack.id)).toBeGreaterThan(0);
    for (const c of await containersOf(stack.id)) await docker.getContainer(c.Id).remove({ force: true });
    for (const n of await docker.listNetworks({ filters: { label: [`aos.stack=${stack.id}`] } })) await docker.getNetwork(n.Id).remove();
  }, 180_000);
});
