// The Kubernetes driver's calls against a recorded-response API server (recorded-api-server.ts):
// create (the namespace made, the objects applied with server-side apply, the rollout waited
// for), a retried create, update, stop, start, health, delete (only labelled objects; a foreign
// object of the same name refused and left alone), listOwnedObjects; and the shared-service
// rules: a server that never answers or answers forever is cut, a tenant's cluster at a forbidden
// address is refused at connect time, and secrets appear in no log line, heartbeat or error.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointPolicy, platformServices } from '../../../../src/drivers/endpoint-policy.js';
import { createKubernetesProvider } from '../../../../src/drivers/kubernetes/cluster.js';
import { kubernetesName, renderApplication } from '../../../../src/drivers/kubernetes/manifests.js';
import { DEFAULT_KUBERNETES_SETTINGS, type KubernetesSettings } from '../../../../src/drivers/kubernetes/settings.js';
import { PermanentDriverError, type ClusterTarget, type ElementContext, type ElementState, type RequiredNode } from '../../../../src/drivers/types.js';
import { APPLY, MERGE, RecordedApiServer } from './recorded-api-server.js';

const SETTINGS: KubernetesSettings = { ...DEFAULT_KUBERNETES_SETTINGS, rolloutTimeoutMs: 10_000, requestTimeoutMs: 2_000 };
const SECRET = 'sup3r-s3cret-value';
const APP_TYPE = 'CTC.ServiceStage.StatelessApplication';

function driverOf(settings: KubernetesSettings = SETTINGS) {
  const provider = createKubernetesProvider(settings);
  return { provider, driver: provider.drivers.find((d) => d.type === APP_TYPE)! };
}

function target(server: RecordedApiServer, extra: Partial<ClusterTarget> = {}): ClusterTarget {
  return { id: 'cluster-1', name: 'recorded', kind: 'KUBERNETES', endpoint: server.url, publishAddress: '127.0.0.1', kubeconfig: server.kubeconfig(), ...extra };
}

function pkg(overrides: Record<string, unknown> = {}): Record<string, RequiredNode> {
  return {
    package: {
      name: 'web-container',
      type: 'CTC.ServiceStage.ContainerComponent',
      properties: {
        package: {
          image: 'aos-test/httpd:1',
          env: [{ name: 'GREETING', value: 'hello' }],
          secrets: [{ name: 'API_TOKEN', value: SECRET }],
          volumes: [{ name: 'data', mountPath: '/data' }],
          ports: [{ containerPort: 80 }],
          serviceSpec: { type: 'NodePort', ports: [{ protocol: 'TCP', port: 80 }] },
          ...overrides,
        },
      },
    },
  };
}

interface TestContext extends ElementContext {
  logs: string[];
  heartbeatDetails: unknown[];
}

function context(cluster: ClusterTarget | null, options: { stackId?: string; namespace?: string; requirements?: Record<string, RequiredNode>; signal?: AbortSignal } = {}): TestContext {
  const ctx: TestContext = {
    tenantId: 'tenant-a',
    stackId: options.stackId ?? 'stack-1',
    stackName: 'shop',
    namespace: options.namespace ?? 'team-a',
    element: 'web',
    cluster,
    requirements: options.requirements ?? pkg(),
    signal: options.signal ?? new AbortController().signal,
    logs: [],
    heartbeatDetails: [],
    heartbeat: (details) => ctx.heartbeatDetails.push(details),
    log: (message) => ctx.logs.push(message),
  };
  return ctx;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

function noSecretIn(ctx: TestContext, ...more: unknown[]): void {
  const text = JSON.stringify([ctx.logs, ctx.heartbeatDetails, ...more.map((m) => (m instanceof Error ? m.message : m))]);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
}

const APP = { type: 'container', instances: 2, restartPolicy: 'Always', healthCheck: { type: 'http', port: 80, path: '/' } };

describe('Kubernetes driver against a recorded API server', () => {
  let server: RecordedApiServer;
  const { driver, provider } = driverOf();

  beforeAll(async () => {
    server = await new RecordedApiServer().start();
  });
  afterAll(() => server.close());
  afterEach(() => {
    expect(server.violations).toEqual([]);
  });

  const name = kubernetesName({ tenantId: 'tenant-a', stackName: 'shop', element: 'web' });
  const secretName = kubernetesName({ tenantId: 'tenant-a', stackName: 'shop', element: 'web' }, 'secret');
  const claimName = kubernetesName({ tenantId: 'tenant-a', stackName: 'shop', element: 'web' }, 'vol-data');
  let state: ElementState;

  it('create: makes the missing namespace, applies Secret, claim, Deployment and Service, waits for the rollout', async () => {
    const ctx = context(target(server));
    state = await driver.create(ctx, APP);
    const calls = server.calls();
    expect(calls.slice(0, 3)).toEqual(['GET /api/v1/namespaces/team-a', 'POST /api/v1/namespaces', `GET /api/v1/namespaces/team-a/secrets/${secretName}`]);
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual([
      `/api/v1/namespaces/team-a/secrets/${secretName}`,
      `/api/v1/namespaces/team-a/persistentvolumeclaims/${claimName}`,
      `/apis/apps/v1/namespaces/team-a/deployments/${name}`,
      `/api/v1/namespaces/team-a/services/${name}`,
    ]);
    for (const patch of patches) {
      expect(patch.contentType).toBe(APPLY);
      expect(patch.query).toEqual({ fieldManager: 'aos', force: 'true' });
    }
    // What was applied is exactly what the pure renderer gives.
    const manifests = renderApplication(ctx, APP);
    expect(patches[2].body).toEqual(JSON.parse(JSON.stringify(manifests.deployment)));
    expect(patches[0].body).toEqual(JSON.parse(JSON.stringify(manifests.secret)));
    // The namespace is marked as AOS's.
    expect(server.get('namespaces', '', 'team-a')?.metadata.labels).toMatchObject({ 'aos.created-by': 'aos', 'aos.stack': 'stack-1' });
    // The rollout was waited for: the Deployment was read until its status caught up.
    expect(calls.filter((c) => c === `GET /apis/apps/v1/namespaces/team-a/deployments/${name}`).length).toBeGreaterThanOrEqual(3);
    expect(ctx.heartbeatDetails).toContainEqual(expect.objectContaining({ step: 'rollout', waiting: expect.any(String) }));
    expect(state).toEqual({
      physicalId: `team-a/${name}`,
      attributes: {
        Service: { type: 'NodePort', ports: [{ port: 80, nodePort: 30000, targetPort: 80, protocol: 'TCP' }] },
        instances: 2,
        endpoints: ['127.0.0.1:30000'],
        namespace: 'team-a',
        deployment: name,
      },
    });
    noSecretIn(ctx, state);
  });

  it('a retried create finds its own objects: no new namespace, the same nodePort', async () => {
    const before = server.requests.length;
    const ctx = context(target(server));
    const again = await driver.create(ctx, APP);
    expect(again).toEqual(state);
    expect(server.requests.slice(before).some((r) => r.method === 'POST')).toBe(false);
  });

  it('update: applies the new spec and removes the Secret the spec no longer has', async () => {
    const before = server.requests.length;
    const ctx = context(target(server), { requirements: pkg({ secrets: [] }) });
    state = await driver.update!(ctx, { ...APP, instances: 3 }, { properties: APP, state });
    const calls = server.requests.slice(before);
    const deploymentApply = calls.find((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`));
    expect(deploymentApply?.body?.spec.replicas).toBe(3);
    expect(calls.some((r) => r.method === 'PATCH' && r.path.includes('/secrets/'))).toBe(false);
    const deletion = calls.find((r) => r.method === 'DELETE');
    expect(deletion?.path).toBe(`/api/v1/namespaces/team-a/secrets/${secretName}`);
    expect(deletion?.body?.preconditions?.uid).toEqual(expect.any(String));
    expect(server.get('secrets', 'team-a', secretName)).toBeUndefined();
    expect(state.attributes.instances).toBe(3);
  });

  it('stop: scales to 0 with a merge patch remembering the replicas; health says stopped on purpose', async () => {
    const before = server.requests.length;
    const ctx = context(target(server));
    state = await driver.stop!(ctx, state);
    const patch = server.requests.slice(before).find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toBe(MERGE);
    expect(patch.query).toEqual({ fieldManager: 'aos' });
    expect(patch.body).toEqual({ metadata: { annotations: { 'aos.stopped-replicas': '3' } }, spec: { replicas: 0 } });
    expect(state.attributes).toMatchObject({ stopped: true, instances: 3 });
    expect(await driver.health!(ctx, state)).toEqual({ health: 'HEALTHY', stopped: true, message: 'all 3 instance(s) stopped' });
    // A retried stop keeps what the first one remembered.
    await driver.stop!(ctx, state);
    expect(server.get('deployments', 'team-a', name)?.metadata.annotations).toEqual({ 'aos.stopped-replicas': '3' });
  });

  it('start: scales back to the remembered replicas and forgets them', async () => {
    const before = server.requests.length;
    const ctx = context(target(server));
    state = await driver.start!(ctx, state);
    const patch = server.requests.slice(before).find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toBe(MERGE);
    expect(patch.body).toEqual({ metadata: { annotations: { 'aos.stopped-replicas': null } }, spec: { replicas: 3 } });
    expect(state.attributes.instances).toBe(3);
    expect(state.attributes.stopped).toBeUndefined();
    expect(await driver.health!(ctx, state)).toEqual({ health: 'HEALTHY', stopped: false });
  });

  it('health: fewer available than desired is ABNORMAL, with what the pods say', async () => {
    server.unhealthy = { available: 1, waitingReason: 'CrashLoopBackOff', restarts: 5 };
    try {
      const report = await driver.health!(context(target(server)), state);
      expect(report.health).toBe('ABNORMAL');
      expect(report.message).toMatch(/^1 of 3 instance\(s\) available; pod .*-pod-1: CrashLoopBackOff \(restarted 5 times, last exit code 1\)/);
    } finally {
      server.unhealthy = null;
    }
  });

  it('a crash-looping rollout gives up before its timeout', async () => {
    server.unhealthy = { available: 0, waitingReason: 'CrashLoopBackOff', restarts: 4 };
    try {
      const started = Date.now();
      const failure = await failureOf(driver.update!(context(target(server)), { ...APP, instances: 2 }, { properties: APP, state }));
      expect(failure.message).toMatch(/did not roll out: pod .* keeps restarting \(4 restarts, last exit code 1\)/);
      expect(Date.now() - started).toBeLessThan(SETTINGS.rolloutTimeoutMs);
    } finally {
      server.unhealthy = null;
    }
  });

  it('listOwnedObjects: every object labelled with the stack, as kind/name', async () => {
    expect(await provider.listOwnedObjects!(target(server), 'stack-1')).toEqual(
      // The Secret is back: the crash-looping update above had secrets again.
      [`deployment/${name}`, 'namespace/team-a', `persistentvolumeclaim/${claimName}`, `secret/${secretName}`, `service/${name}`].sort(),
    );
    expect(await provider.listOwnedObjects!(target(server), 'another-stack')).toEqual([]);
  });

  it('create refuses a same-named object without our labels, naming it, and changes nothing', async () => {
    server.seed('namespaces', '', { metadata: { name: 'shared' } });
    server.seed('deployments', 'shared', { metadata: { name, labels: { app: 'theirs' } }, spec: { replicas: 1 } });
    const before = server.requests.length;
    const failure = await failureOf(driver.create(context(target(server), { namespace: 'shared', stackId: 'stack-2' }), APP));
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect((failure as PermanentDriverError).reason).toBe('NAME_COLLISION');
    expect(failure.message).toContain(`a Deployment named ${name} already exists in namespace shared`);
    expect(server.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('delete removes only labelled objects, leaves a foreign same-named one, and keeps a namespace it did not create', async () => {
    const ctx = context(target(server), { namespace: 'shared', stackId: 'stack-2' });
    const before = server.requests.length;
    await driver.delete(ctx, null);
    expect(server.requests.slice(before).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(server.get('deployments', 'shared', name)).toBeDefined();
    expect(ctx.logs).toContain(`left Deployment ${name} in place: it is not this stack's`);
    expect(server.get('namespaces', '', 'shared')).toBeDefined();
  });

  it('delete keeps an AOS namespace something else still uses, and removes it once only ours was left', async () => {
    server.seed('secrets', 'team-a', { metadata: { name: 'someone-elses', labels: { app: 'other' } } });
    const ctx = context(target(server));
    await driver.delete(ctx, state);
    const deleted = server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deleted).toEqual(expect.arrayContaining([`/apis/apps/v1/namespaces/team-a/deployments/${name}`, `/api/v1/namespaces/team-a/services/${name}`, `/api/v1/namespaces/team-a/persistentvolumeclaims/${claimName}`]));
    expect(deleted).not.toContain('/api/v1/namespaces/team-a/secrets/someone-elses');
    expect(server.get('namespaces', '', 'team-a')).toBeDefined();
    expect(await provider.listOwnedObjects!(target(server), 'stack-1')).toEqual(['namespace/team-a']);

    server.objects.delete('secrets/team-a/someone-elses');
    await driver.create(context(target(server)), APP);
    await driver.delete(context(target(server)), state);
    expect(server.get('namespaces', '', 'team-a')).toBeUndefined();
    // Deleting what is gone already succeeds.
    await driver.delete(context(target(server)), state);
  });

  it('masks secret values an API server quotes back in an error', async () => {
    server.failNextPatch = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422, message: `Secret is invalid: data[API_TOKEN]: Invalid value: "${SECRET}"` };
    const ctx = context(target(server), { namespace: 'masked' });
    const failure = await failureOf(driver.create(ctx, APP));
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect(failure.message).toMatch(/applying Secret .*: HTTP 422 Invalid: Secret is invalid: data\[API_TOKEN\]: Invalid value: "\*\*\*"/);
    noSecretIn(ctx, failure);
    await driver.delete(ctx, null);
  });

  it('a wrong token is an error naming the status, not the token', async () => {
    const ctx = context(target(server, { kubeconfig: server.kubeconfig('wrong-token') }));
    const failure = await failureOf(driver.create(ctx, APP));
    expect(failure.message).toMatch(/HTTP 401/);
    expect(failure.message).not.toContain('wrong-token');
    const report = await driver.health!(ctx, state);
    expect(report.health).toBe('UNKNOWN');
  });

  it('cancellation ends a rollout wait', async () => {
    server.unhealthy = { available: 0, waitingReason: 'ImagePullBackOff', restarts: 0 };
    const controller = new AbortController();
    try {
      const pending = driver.create(context(target(server), { namespace: 'cancelled', signal: controller.signal }), APP);
      setTimeout(() => controller.abort(), 300);
      const failure = await failureOf(pending);
      expect(failure.name).toBe('AbortError');
    } finally {
      server.unhealthy = null;
    }
  });

  it('a rollout that does not finish fails after the rollout timeout, saying why', async () => {
    server.unhealthy = { available: 0, waitingReason: 'ImagePullBackOff', restarts: 0 };
    try {
      const { driver: quick } = driverOf({ ...SETTINGS, rolloutTimeoutMs: 1_200 });
      const failure = await failureOf(quick.create(context(target(server), { namespace: 'slow' }), APP));
      expect(failure.message).toMatch(/not rolled out within 1 s \(0 of 2 instance\(s\) available; pod .*: ImagePullBackOff/);
    } finally {
      server.unhealthy = null;
    }
  });
});

describe('Kubernetes driver: bounded calls and the endpoint policy', () => {
  const sockets = new Set<Socket>();
  async function rawServer(onRequest: http.RequestListener): Promise<{ url: string; close: () => Promise<void>; hits: () => number }> {
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      onRequest(req, res);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      hits: () => hits,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }
  function kubeconfigFor(url: string): string {
    return `apiVersion: v1\nclusters: [{name: c, cluster: {server: "${url}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
  }
  const cluster = (url: string, extra: Partial<ClusterTarget> = {}): ClusterTarget => ({ id: 'c', name: 'bounded', kind: 'KUBERNETES', endpoint: url, publishAddress: '127.0.0.1', kubeconfig: kubeconfigFor(url), ...extra });

  it('a server that never answers is cut by the request timeout', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const { driver } = driverOf({ ...SETTINGS, requestTimeoutMs: 300 });
      const started = Date.now();
      const failure = await failureOf(driver.create(context(cluster(silent.url)), APP));
      expect(failure.message).toMatch(/no answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await driver.health!(context(cluster(silent.url)), { physicalId: null, attributes: {} })).health).toBe('UNKNOWN');
    } finally {
      await silent.close();
    }
  });

  it('an endless answer is cut at the size limit', async () => {
    const endless = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    try {
      const { provider } = driverOf({ ...SETTINGS, maxAnswerBytes: 256 * 1024, requestTimeoutMs: 5_000 });
      const failure = await failureOf(provider.listOwnedObjects!(cluster(endless.url), 'stack-1'));
      expect(failure.message).toMatch(/answer larger than 262144 bytes/);
    } finally {
      await endless.close();
    }
  });

  it("a tenant's cluster at an address the policy forbids is refused at connect time, before any request", async () => {
    const reachable = await rawServer((_req, res) => res.end('{}'));
    try {
      const policy = parseEndpointPolicy(undefined, platformServices({ databaseUrl: 'postgres://db.invalid:5432/x', temporalAddress: 'temporal.invalid:7233', apiHost: 'api.invalid', apiPort: 4000 }));
      const { driver, provider } = driverOf();
      const failure = await failureOf(driver.create(context(cluster(reachable.url, { endpointPolicy: policy })), APP));
      expect(failure).toBeInstanceOf(PermanentDriverError);
      expect((failure as PermanentDriverError).reason).toBe('ENDPOINT_REFUSED');
      await expect(provider.listOwnedObjects!(cluster(reachable.url, { endpointPolicy: policy }), 's')).rejects.toThrow(/endpoint policy|loopback|not allowed/i);
      expect(reachable.hits()).toBe(0);
    } finally {
      await reachable.close();
    }
  });

  it('refuses a stored kubeconfig that would run a command, without running it', async () => {
    const { driver } = driverOf();
    const kubeconfig = `apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {exec: {command: touch, args: [/tmp/aos-k8s-exec-ran]}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
    const failure = await failureOf(driver.create(context(cluster('https://127.0.0.1:1', { kubeconfig })), APP));
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect(failure.message).toMatch(/"exec"/);
  });
});
