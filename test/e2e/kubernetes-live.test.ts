// The Kubernetes driver against a real cluster: runs only when KUBECONFIG points at one (its
// current context, with embedded credentials: the strict reader refuses exec plugins and file
// references), and is skipped otherwise, saying so. It installs a small application in a
// namespace of its own (created and removed by the driver): create with a rollout, the nodePort
// read back, stop, start, health, delete, and nothing of the stack left afterwards.
// AOS_K8S_LIVE_IMAGE picks the image (default nginx:1.27-alpine; the cluster must be able to pull it).
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKubernetesProvider } from '../../src/drivers/kubernetes/cluster.js';
import { parseKubeconfig } from '../../src/drivers/kubernetes/kubeconfig.js';
import { DEFAULT_KUBERNETES_SETTINGS } from '../../src/drivers/kubernetes/settings.js';
import type { ClusterTarget, ElementContext, ElementState } from '../../src/drivers/types.js';

function liveKubeconfig(): { text: string } | { skip: string } {
  const path = process.env.KUBECONFIG?.split(':').find((p) => p !== '');
  if (!path) return { skip: 'KUBECONFIG is not set: no cluster to run the live Kubernetes suite against' };
  if (!existsSync(path)) return { skip: `KUBECONFIG names ${path}, which does not exist` };
  const text = readFileSync(path, 'utf8');
  const { access, problems } = parseKubeconfig(text);
  if (!access) return { skip: `the kubeconfig at ${path} cannot be used by AOS: ${problems.map((p) => p.message).join('; ')}` };
  return { text };
}

const live = liveKubeconfig();
if ('skip' in live) console.warn(`[kubernetes-live] skipped: ${live.skip}`);

describe.skipIf('skip' in live)('Kubernetes driver on a live cluster (KUBECONFIG)', () => {
  const settings = { ...DEFAULT_KUBERNETES_SETTINGS, rolloutTimeoutMs: 240_000 };
  const provider = createKubernetesProvider(settings);
  const driver = provider.drivers.find((d) => d.type === 'CTC.ServiceStage.StatelessApplication')!;
  const runId = randomBytes(4).toString('hex');
  const secretValue = `s3cret-${randomBytes(8).toString('hex')}`;
  const target: ClusterTarget = { id: 'live', name: 'live', kind: 'KUBERNETES', endpoint: null, publishAddress: '127.0.0.1', kubeconfig: 'text' in live ? live.text : null };
  const logs: string[] = [];
  const ctx: ElementContext = {
    tenantId: `live-tenant-${runId}`,
    stackId: `live-stack-${runId}`,
    stackName: 'live',
    namespace: `aos-live-${runId}`,
    element: 'web',
    cluster: target,
    requirements: {
      package: {
        name: 'web-container',
        type: 'CTC.ServiceStage.ContainerComponent',
        properties: {
          package: {
            image: process.env.AOS_K8S_LIVE_IMAGE ?? 'nginx:1.27-alpine',
            env: [{ name: 'GREETING', value: 'hello' }],
            secrets: [{ name: 'API_TOKEN', value: secretValue }],
            ports: [{ containerPort: 80 }],
            serviceSpec: { type: 'NodePort', ports: [{ protocol: 'TCP', port: 80 }] },
          },
        },
      },
    },
    heartbeat: () => undefined,
    signal: new AbortController().signal,
    log: (line) => logs.push(line),
  };
  const properties = { type: 'container', instances: 2, restartPolicy: 'Always', healthCheck: { type: 'tcp', port: 80 } };
  let state: ElementState;

  afterAll(async () => {
    await driver.delete(ctx, null).catch(() => undefined);
  });

  it('answers /version', async () => {
    const health = await provider.health(target, 10_000);
    expect(health).toMatchObject({ healthy: true, version: expect.stringMatching(/^Kubernetes v/) });
  });

  it('creates the application and waits for its rollout; the nodePort is read back', async () => {
    state = await driver.create(ctx, properties);
    const service = state.attributes.Service as { type: string; ports: { nodePort: number }[] };
    expect(service.type).toBe('NodePort');
    expect(service.ports[0].nodePort).toBeGreaterThan(0);
    expect(state.attributes.instances).toBe(2);
    expect(await driver.health!(ctx, state)).toEqual({ health: 'HEALTHY', stopped: false });
    expect(JSON.stringify([logs, state])).not.toContain(secretValue);
  }, 300_000);

  it('stops and starts', async () => {
    state = await driver.stop!(ctx, state);
    expect(await driver.health!(ctx, state)).toMatchObject({ health: 'HEALTHY', stopped: true });
    state = await driver.start!(ctx, state);
    expect(await driver.health!(ctx, state)).toEqual({ health: 'HEALTHY', stopped: false });
  }, 300_000);

  it('deletes everything it made, its namespace included', async () => {
    await driver.delete(ctx, state);
    const left = await provider.listOwnedObjects!(target, ctx.stackId);
    // The namespace may still be terminating: only it may be listed.
    expect(left.filter((o) => o !== `namespace/${ctx.namespace}`)).toEqual([]);
  }, 120_000);
});
