// The Docker driver against a real engine (AOS_DOCKER_HOST, prepared by scripts/docker.sh) with
// the locally built images aos-test/httpd:1 and :2. Nothing here leaves this machine: the only
// image that is not local points at a closed loopback port, and pages are fetched on 127.0.0.1.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  containerComponentDriver,
  createDockerProvider,
  DEFAULT_DOCKER_SETTINGS,
  dockerClient,
  dockerObjectName,
  nodePortRange,
  parseApplicationSpec,
  parseDockerEndpoint,
  tenantTag,
} from '../../src/drivers/docker/index.js';
import { containerSpecHash } from '../../src/drivers/workload/spec.js';
import { LABEL_ELEMENT, LABEL_STACK, PermanentDriverError, physicalName, type ElementState } from '../../src/drivers/types.js';
import { dockerCluster, dockerHost, dockerSkipReason, elementContext, httpGet, uniqueRunId, type RecordingContext } from '../helpers/docker.js';
import { bridgeGateway } from '../helpers/host-relay.js';

// busybox httpd runs as PID 1 without a SIGTERM handler, so every stop waits out the grace period.
const provider = createDockerProvider({ ...DEFAULT_DOCKER_SETTINGS, stopGraceSeconds: 1 });
const driver = provider.drivers.find((d) => d.type === 'CTC.ServiceStage.StatelessApplication')!;
const listOwnedObjects = (target: Parameters<typeof provider.health>[0], stackId: string) => provider.listOwnedObjects!(target, stackId);
const HEALTH_TIMEOUT_MS = 3_000;
const RANGE = DEFAULT_DOCKER_SETTINGS.nodePortRange;

const skipReason = dockerSkipReason();
if (skipReason) console.warn(skipReason);

const UNREACHABLE_REGISTRY_IMAGE = '127.0.0.1:5999/wuhu/nginx:latest';
const SECRET_VALUE = `s3cret-${uniqueRunId()}`;

function containerComponent(image: string, serviceType: 'NodePort' | 'ClusterIP' = 'NodePort') {
  return {
    name: 'nginx-package',
    type: 'CTC.ServiceStage.ContainerComponent',
    properties: {
      package: {
        image,
        command: ['httpd', '-f', '-p', '80', '-h', '/www'],
        env: [{ name: 'GREETING', value: 'hello' }],
        secrets: [{ name: 'API_TOKEN', value: SECRET_VALUE }],
        volumes: [{ name: 'data', mountPath: '/data' }],
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        serviceSpec: { type: serviceType, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] },
      },
    },
  };
}

function appProperties(instances: number) {
  return {
    type: 'container',
    instances,
    exclusive: false,
    restartPolicy: 'Always',
    healthCheck: { type: 'http', port: 80, path: '/' },
  };
}

function nodePortOf(state: ElementState): number {
  const service = state.attributes.Service as { ports: { nodePort: number }[] };
  return service.ports[0].nodePort;
}

describe.skipIf(skipReason !== null)('Docker driver on a real engine', () => {
  const runId = uniqueRunId();
  const cluster = dockerCluster(dockerHost());
  let docker: Docker;
  const contexts: RecordingContext[] = [];
  const foreignContainers: string[] = [];

  function context(suffix: string, image = 'aos-test/httpd:1'): RecordingContext {
    const ctx = elementContext({
      stackId: `stack-${runId}-${suffix}`,
      stackName: `dd-${runId}-${suffix}`,
      element: 'nginx-app',
      cluster,
      requirements: { package: containerComponent(image) },
    });
    contexts.push(ctx);
    return ctx;
  }

  /** The element's containers, by labels, as index → container id. */
  async function containerIds(ctx: RecordingContext): Promise<Map<string, string>> {
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_STACK}=${ctx.stackId}`, `${LABEL_ELEMENT}=${ctx.element}`] } });
    return new Map(list.map((c) => [c.Names[0].replace(/^\//, ''), c.Id]));
  }

  beforeAll(() => {
    docker = dockerClient(cluster);
  });

  afterAll(async () => {
    for (const ctx of contexts) {
      await driver.delete(ctx, null).catch((error: unknown) => console.warn(`cleanup of ${ctx.stackId} failed: ${String(error)}`));
    }
    for (const name of foreignContainers) {
      await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    }
  });

  // One deployment goes through its whole life in these steps, in order.
  const main = { ctx: undefined as unknown as RecordingContext, state: undefined as unknown as ElementState, ids: new Map<string, string>() };

  test('the engine answers and reports its version', async () => {
    const health = await provider.health(cluster, HEALTH_TIMEOUT_MS);
    expect(health.healthy).toBe(true);
    expect(health.version).toMatch(/\d+\.\d+/);
  });

  test('create: 2 labelled containers, the NodePort serves the page, secrets stay out of attributes and logs', async () => {
    main.ctx = context('main');
    const started = Date.now();
    main.state = await driver.create(main.ctx, appProperties(2));
    console.info(`create of 2 instances took ${Date.now() - started} ms`);

    expect(main.state.physicalId).toBe(dockerObjectName(main.ctx));
    expect(main.state.attributes.instances).toBe(2);
    const nodePort = nodePortOf(main.state);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    const endpoints = main.state.attributes.endpoints as string[];
    expect(endpoints).toHaveLength(2);
    expect(endpoints[0]).toBe(`127.0.0.1:${nodePort}`);

    main.ids = await containerIds(main.ctx);
    expect([...main.ids.keys()].sort()).toEqual([dockerObjectName(main.ctx, '0'), dockerObjectName(main.ctx, '1')]);
    const info = await docker.getContainer(dockerObjectName(main.ctx, '0')).inspect();
    expect(info.Config.Labels).toMatchObject({ 'aos.tenant': 'tenant-test', 'aos.stack': main.ctx.stackId, 'aos.element': 'nginx-app', 'aos.namespace': 'default', 'aos.instance': '0' });
    expect(info.Config.Env).toEqual(expect.arrayContaining(['GREETING=hello', `API_TOKEN=${SECRET_VALUE}`]));
    expect(info.HostConfig.RestartPolicy?.Name).toBe('always');
    expect(info.HostConfig.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(info.Mounts.map((m) => m.Name)).toEqual([dockerObjectName(main.ctx, 'vol-data')]);

    for (const endpoint of endpoints) {
      const [host, port] = endpoint.split(':');
      const page = await httpGet(host, Number(port));
      expect(page.status).toBe(200);
      expect(page.body).toContain('AOS test page v1');
    }
    expect(main.ctx.heartbeats).toBeGreaterThan(0);
    expect(JSON.stringify(main.state)).not.toContain(SECRET_VALUE);
    expect(main.ctx.logs.join('\n')).not.toContain(SECRET_VALUE);
  });

  test('a retried create finds its earlier work instead of making twins', async () => {
    const again = await driver.create(main.ctx, appProperties(2));
    expect(again).toEqual(main.state);
    expect(await containerIds(main.ctx)).toEqual(main.ids);
  });

  test('a retry after an interrupted replacement finishes it from what it finds', async () => {
    const name0 = dockerObjectName(main.ctx, '0');
    const name1 = dockerObjectName(main.ctx, '1');
    // Instance 0: the old container was removed, the new one not yet renamed from <name>-next.
    await docker.getContainer(name0).rename({ name: `${name0}-next` });
    // Instance 1: a half-made <name>-next beside the original.
    const info1 = await docker.getContainer(name1).inspect();
    await docker.createContainer({ name: `${name1}-next`, Image: 'aos-test/httpd:1', Labels: info1.Config.Labels });
    const again = await driver.create(main.ctx, appProperties(2));
    expect(again).toEqual(main.state);
    expect(await containerIds(main.ctx)).toEqual(main.ids);
  });

  test('update 2 → 3 instances keeps the existing containers and the NodePort', async () => {
    const state = await driver.update!(main.ctx, appProperties(3), { properties: appProperties(2), state: main.state });
    const ids = await containerIds(main.ctx);
    expect(ids.size).toBe(3);
    for (const [name, id] of main.ids) expect(ids.get(name)).toBe(id);
    expect(nodePortOf(state)).toBe(nodePortOf(main.state));
    expect(state.attributes.endpoints).toHaveLength(3);
    main.state = state;
    main.ids = ids;
  });

  test('an image change replaces the containers one by one, on the same NodePort', async () => {
    const nodePort = nodePortOf(main.state);
    main.ctx.requirements = { package: containerComponent('aos-test/httpd:2') };
    const state = await driver.update!(main.ctx, appProperties(3), { properties: appProperties(3), state: main.state });
    expect(nodePortOf(state)).toBe(nodePort);
    expect(state.attributes.endpoints).toEqual(main.state.attributes.endpoints);
    const ids = await containerIds(main.ctx);
    expect([...ids.keys()].sort()).toEqual([...main.ids.keys()].sort());
    for (const [name, id] of main.ids) expect(ids.get(name)).not.toBe(id);
    expect((await httpGet('127.0.0.1', nodePort)).body).toContain('AOS test page v2');
    main.state = state;
    main.ids = ids;
  });

  test('update 3 → 2 removes the highest instance only', async () => {
    const state = await driver.update!(main.ctx, appProperties(2), { properties: appProperties(3), state: main.state });
    const ids = await containerIds(main.ctx);
    expect([...ids.keys()].sort()).toEqual([dockerObjectName(main.ctx, '0'), dockerObjectName(main.ctx, '1')]);
    expect(ids.get(dockerObjectName(main.ctx, '0'))).toBe(main.ids.get(dockerObjectName(main.ctx, '0')));
    expect(state.attributes.instances).toBe(2);
    main.state = state;
    main.ids = ids;
  });

  test('a replacement whose new container fails is undone: the old container serves again', async () => {
    const broken = containerComponent('aos-test/httpd:2');
    broken.properties.package.command = ['sh', '-c', 'exit 3'];
    main.ctx.requirements = { package: broken };
    const failure = await driver.update!(main.ctx, { ...appProperties(2), restartPolicy: 'Never' }, { properties: appProperties(2), state: main.state })
      .then(() => null, (error: unknown) => error);
    main.ctx.requirements = { package: containerComponent('aos-test/httpd:2') };
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/exited with code 3/);
    expect(await containerIds(main.ctx)).toEqual(main.ids);
    expect((await httpGet('127.0.0.1', nodePortOf(main.state))).body).toContain('AOS test page v2');
    expect(await driver.health!(main.ctx, main.state)).toMatchObject({ health: 'HEALTHY' });
  });

  test('stop: nothing runs and health says stopped; start: the page answers again', async () => {
    const stopped = await driver.stop!(main.ctx, main.state);
    for (const id of main.ids.values()) {
      expect((await docker.getContainer(id).inspect()).State.Running).toBe(false);
    }
    expect(await driver.health!(main.ctx, stopped)).toMatchObject({ health: 'HEALTHY', stopped: true });

    const started = await driver.start!(main.ctx, stopped);
    expect(started.attributes.stopped).toBeUndefined();
    expect((await httpGet('127.0.0.1', nodePortOf(started))).body).toContain('AOS test page v2');
    expect(await driver.health!(main.ctx, started)).toMatchObject({ health: 'HEALTHY', stopped: false });
    main.state = started;
  });

  test('a container killed from outside makes health ABNORMAL, naming it', async () => {
    const victim = dockerObjectName(main.ctx, '1');
    await docker.getContainer(victim).kill();
    const report = await driver.health!(main.ctx, main.state);
    expect(report.health).toBe('ABNORMAL');
    expect(report.message).toContain(victim);
    expect(report.message).toMatch(/exited with code 137/);
    // A retried update brings it back.
    await driver.update!(main.ctx, appProperties(2), { properties: appProperties(2), state: main.state });
    expect((await driver.health!(main.ctx, main.state)).health).toBe('HEALTHY');
  });

  test('elements of a stack share its network, which outlives an element while another still has (stopped) containers', async () => {
    const sidecar = elementContext({
      stackId: main.ctx.stackId,
      stackName: main.ctx.stackName,
      element: 'sidecar',
      cluster,
      requirements: { package: containerComponent('aos-test/httpd:1', 'ClusterIP') },
    });
    contexts.push(sidecar);
    const sidecarState = await driver.create(sidecar, appProperties(1));
    expect(sidecarState.attributes.endpoints).toEqual([`${dockerObjectName(sidecar, '0')}:80`]);
    expect((sidecarState.attributes.Service as { ports: { nodePort: unknown }[] }).ports[0].nodePort).toBeNull();
    // Health probes the ClusterIP element through the loopback port published for its health check.
    expect(await driver.health!(sidecar, sidecarState)).toMatchObject({ health: 'HEALTHY' });

    const stopped = await driver.stop!(main.ctx, main.state);
    await driver.delete(sidecar, sidecarState);
    const network = `network/${dockerObjectName({ tenantId: main.ctx.tenantId, namespace: 'default', stackName: main.ctx.stackName, element: 'net' })}`;
    expect(await listOwnedObjects(cluster, main.ctx.stackId)).toContain(network);
    main.state = await driver.start!(main.ctx, stopped);
    expect((await httpGet('127.0.0.1', nodePortOf(main.state))).body).toContain('AOS test page v2');
  });

  test('delete removes every object carrying the stack label, and a second delete is a no-op', async () => {
    expect(await listOwnedObjects(cluster, main.ctx.stackId)).toEqual(expect.arrayContaining([
      `container/${dockerObjectName(main.ctx, '0')}`,
      `volume/${dockerObjectName(main.ctx, 'vol-data')}`,
      `network/${dockerObjectName({ tenantId: main.ctx.tenantId, namespace: 'default', stackName: main.ctx.stackName, element: 'net' })}`,
    ]));
    await driver.delete(main.ctx, main.state);
    expect(await listOwnedObjects(cluster, main.ctx.stackId)).toEqual([]);
    await driver.delete(main.ctx, main.state);
  });

  test('an image that cannot be pulled is a permanent error naming it, and leaves nothing', async () => {
    const ctx = context('pull', UNREACHABLE_REGISTRY_IMAGE);
    const started = Date.now();
    const failure = await driver.create(ctx, appProperties(1)).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect((failure as Error).message).toContain(`image ${UNREACHABLE_REGISTRY_IMAGE} could not be pulled`);
    expect((failure as Error).message).toMatch(/connection refused/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await listOwnedObjects(cluster, ctx.stackId)).toEqual([]);
  });

  test('a foreign container with the colliding name is a permanent error that names no other stack, and stays untouched', async () => {
    const ctx = context('foreign');
    const name = dockerObjectName(ctx, '0');
    const otherStack = `stack-of-another-tenant-${runId}`;
    const foreign = await docker.createContainer({ name, Image: 'aos-test/httpd:1', Labels: { 'aos.tenant': 'another-tenant', 'aos.stack': otherStack } });
    foreignContainers.push(name);
    const failure = await driver.create(ctx, appProperties(1)).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect((failure as Error).message).toContain(name);
    expect((failure as Error).message).toMatch(/AOS does not touch objects it does not own/);
    expect((failure as Error).message).not.toContain(otherStack);
    expect((failure as Error).message).not.toContain('another-tenant');
    const after = await docker.getContainer(name).inspect();
    expect(after.Id).toBe(foreign.id);
    expect(after.State.Status).toBe('created');
    expect(await listOwnedObjects(cluster, ctx.stackId)).toEqual([]);
    // Delete only knows objects by their labels: the foreign one survives it too.
    await driver.delete(ctx, null);
    expect((await docker.getContainer(name).inspect()).Id).toBe(foreign.id);
  });

  test('tenants sharing an engine: the same namespace, stack and element names give different objects, so no tenant can block another', async () => {
    const same = { stackName: `dd-${runId}-shared`, element: 'nginx-app', cluster, requirements: { package: containerComponent('aos-test/httpd:1', 'ClusterIP') } };
    const intruder = elementContext({ ...same, tenantId: `tenant-b-${runId}`, stackId: `stack-${runId}-b` });
    const victim = elementContext({ ...same, tenantId: `tenant-a-${runId}`, stackId: `stack-${runId}-a` });
    contexts.push(intruder, victim);
    // Tenant B goes first with tenant A's namespace, stack and element names.
    await driver.create(intruder, appProperties(1));
    const state = await driver.create(victim, appProperties(1));
    expect(state.physicalId).toBe(dockerObjectName(victim));
    expect(dockerObjectName(victim, '0')).not.toBe(dockerObjectName(intruder, '0'));
    expect(dockerObjectName(victim, '0').startsWith(`${tenantTag(victim.tenantId)}-`)).toBe(true);
    expect((await docker.getContainer(dockerObjectName(victim, '0')).inspect()).Config.Labels['aos.tenant']).toBe(victim.tenantId);
    expect((await docker.getContainer(dockerObjectName(intruder, '0')).inspect()).Config.Labels['aos.tenant']).toBe(intruder.tenantId);
    const networks = (await docker.listNetworks({ filters: { label: [`aos.stack=${victim.stackId}`] } })).map((n) => n.Name);
    expect(networks).toEqual([dockerObjectName({ ...victim, element: 'net' })]);
  });

  test('a stack deployed before names carried the tenant keeps its network and volume through an update, and goes with a delete', async () => {
    const ctx = context('legacy');
    const legacyNetwork = physicalName({ namespace: ctx.namespace, stackName: ctx.stackName, element: 'net' });
    const legacyVolume = physicalName(ctx, 'vol-data');
    const legacyContainer = physicalName(ctx, '0');
    const own = { 'aos.tenant': ctx.tenantId, 'aos.stack': ctx.stackId, 'aos.element': ctx.element, 'aos.namespace': ctx.namespace };
    const network = await docker.createNetwork({ Name: legacyNetwork, Driver: 'bridge', Labels: { 'aos.tenant': ctx.tenantId, 'aos.stack': ctx.stackId, 'aos.namespace': ctx.namespace, 'aos.object': 'stack-network' } });
    await docker.createVolume({ Name: legacyVolume, Labels: { ...own, 'aos.object': 'volume' } });
    const old = await docker.createContainer({
      name: legacyContainer,
      Image: 'aos-test/httpd:1',
      Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      Labels: { ...own, 'aos.object': 'container', 'aos.instance': '0' },
      HostConfig: { NetworkMode: network.id, Mounts: [{ Type: 'volume', Source: legacyVolume, Target: '/data' }] },
    });
    await old.start();

    const state = await driver.create(ctx, appProperties(1));
    const info = await docker.getContainer(legacyContainer).inspect();
    expect(info.Id).not.toBe(old.id);
    expect(info.Mounts.map((m) => m.Name)).toEqual([legacyVolume]);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([legacyNetwork]);
    expect(await listOwnedObjects(cluster, ctx.stackId)).toEqual([`container/${legacyContainer}`, `network/${legacyNetwork}`, `volume/${legacyVolume}`]);
    await driver.delete(ctx, state);
    expect(await listOwnedObjects(cluster, ctx.stackId)).toEqual([]);
  });

  test('an unreachable engine gives health UNKNOWN', async () => {
    const ctx = elementContext({
      stackId: `stack-${runId}-gone`,
      stackName: `dd-${runId}-gone`,
      element: 'nginx-app',
      cluster: dockerCluster('unix:///nonexistent.sock'),
      requirements: { package: containerComponent('aos-test/httpd:1') },
    });
    const report = await driver.health!(ctx, { physicalId: dockerObjectName(ctx), attributes: { instances: 1 } });
    expect(report.health).toBe('UNKNOWN');
    expect(report.message).toMatch(/nonexistent\.sock/);
    expect((await provider.health(dockerCluster('unix:///nonexistent.sock'), HEALTH_TIMEOUT_MS)).healthy).toBe(false);
  });

  test('a container reaches a server on the engine\'s host as host.docker.internal', async () => {
    const gateway = await bridgeGateway(docker);
    if (!gateway) {
      console.warn('skipped: the engine\'s default bridge has no gateway address on this machine');
      return;
    }
    // A server on the bridge's gateway address (not on 127.0.0.1, which containers cannot reach).
    const token = `from-the-host-${runId}`;
    const server = createHttpServer((_req, res) => res.end(token));
    await new Promise<void>((resolve) => server.listen(0, gateway, resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const component = containerComponent('aos-test/httpd:1');
      // The container fetches the host's page by name at start and serves what it got. No -T:
      // this busybox's wget crashes with it; the driver's readiness wait bounds a hang.
      const script = `wget -q -O /www/index.html http://host.docker.internal:${port}/; exec httpd -f -p 80 -h /www`;
      component.properties.package.command = ['sh', '-c', script];
      const ctx = elementContext({ stackId: `stack-${runId}-host`, stackName: `dd-${runId}-host`, element: 'nginx-app', cluster, requirements: { package: component } });
      contexts.push(ctx);
      const state = await driver.create(ctx, appProperties(1));
      expect((await httpGet('127.0.0.1', nodePortOf(state))).body).toBe(token);
      await driver.delete(ctx, state);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('the ContainerComponent deploys nothing', async () => {
    const ctx = context('component');
    expect(await containerComponentDriver.create(ctx, containerComponent('aos-test/httpd:1').properties)).toEqual({ physicalId: null, attributes: {} });
    await containerComponentDriver.delete(ctx, null);
  });
});

// The pure parts run everywhere, engine or not.
describe('Docker driver: spec, endpoints, port range', () => {
  test('a container spec is read with defaults, and bad values are permanent errors that never echo secrets', () => {
    const pkg = containerComponent('aos-test/httpd:1').properties.package;
    const spec = parseApplicationSpec(appProperties(2), pkg, RANGE);
    expect(spec).toMatchObject({ instances: 2, restartPolicy: 'Always', serviceType: 'NodePort', command: ['httpd', '-f', '-p', '80', '-h', '/www'] });
    expect(spec.servicePorts).toEqual([{ protocol: 'tcp', port: 80, targetPort: 80, nodePort: undefined }]);

    const badSecret = { ...pkg, secrets: [{ name: 'API_TOKEN', value: { nested: SECRET_VALUE } }] };
    const failure = (() => {
      try {
        parseApplicationSpec(appProperties(1), badSecret, RANGE);
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect((failure as Error).message).toContain('secrets[0] (API_TOKEN)');
    expect((failure as Error).message).not.toContain(SECRET_VALUE);

    expect(() => parseApplicationSpec({ ...appProperties(1), instances: -1 }, pkg, RANGE)).toThrow(/instances must be an integer/);
    expect(() => parseApplicationSpec({ ...appProperties(1), restartPolicy: 'Sometimes' }, pkg, RANGE)).toThrow(/restartPolicy/);
    expect(() => parseApplicationSpec(appProperties(1), { ...pkg, serviceSpec: { type: 'LoadBalancer' } }, RANGE)).toThrow(/NodePort or ClusterIP/);
    expect(() => parseApplicationSpec(appProperties(1), { ...pkg, image: '' }, RANGE)).toThrow(/image/);
  });

  test('a fixed nodePort is accepted only inside AOS_NODEPORT_RANGE', () => {
    const pkg = containerComponent('aos-test/httpd:1').properties.package;
    const withNodePort = (nodePort: number) => ({ ...pkg, serviceSpec: { type: 'NodePort', ports: [{ protocol: 'TCP', port: 80, nodePort }] } });
    expect(parseApplicationSpec(appProperties(1), withNodePort(30080), RANGE).servicePorts[0].nodePort).toBe(30080);
    for (const nodePort of [22, 2375, 5432, 29999, 32768]) {
      const failure = (() => {
        try {
          parseApplicationSpec(appProperties(1), withNodePort(nodePort), RANGE);
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(failure, String(nodePort)).toBeInstanceOf(PermanentDriverError);
      expect((failure as PermanentDriverError).reason).toBe('NODEPORT_OUT_OF_RANGE');
      expect((failure as Error).message).toContain(`nodePort ${nodePort} is outside the NodePort range 30000-32767`);
    }
    expect(() => parseApplicationSpec(appProperties(1), withNodePort(30080), { min: 31000, max: 31010 })).toThrow(/31000-31010/);
  });

  test('the spec hash changes with what needs a new container, not with instances or restart policy', () => {
    const pkg = containerComponent('aos-test/httpd:1').properties.package;
    const base = containerSpecHash(parseApplicationSpec(appProperties(1), pkg, RANGE));
    expect(containerSpecHash(parseApplicationSpec({ ...appProperties(5), restartPolicy: 'Never' }, pkg, RANGE))).toBe(base);
    expect(containerSpecHash(parseApplicationSpec(appProperties(1), { ...pkg, image: 'aos-test/httpd:2' }, RANGE))).not.toBe(base);
    expect(containerSpecHash(parseApplicationSpec(appProperties(1), { ...pkg, secrets: [{ name: 'API_TOKEN', value: 'other' }] }, RANGE))).not.toBe(base);
  });

  test('endpoints and the NodePort range are parsed strictly', () => {
    expect(parseDockerEndpoint('unix:///run/x/docker.sock')).toEqual({ kind: 'unix', socketPath: '/run/x/docker.sock' });
    expect(parseDockerEndpoint('tcp://127.0.0.1:2375')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375 });
    expect(() => parseDockerEndpoint('ssh://host')).toThrow(PermanentDriverError);
    expect(nodePortRange(undefined, RANGE)).toEqual({ min: 30000, max: 32767 });
    expect(nodePortRange(' ', { min: 1, max: 2 })).toEqual({ min: 1, max: 2 });
    expect(nodePortRange('31000-31010', RANGE)).toEqual({ min: 31000, max: 31010 });
    expect(() => nodePortRange('32000-31000', RANGE)).toThrow(/AOS_NODEPORT_RANGE/);
  });
});
