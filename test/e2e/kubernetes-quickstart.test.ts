// The quick-start through the whole product on a KUBERNETES cluster: GraphQL API → Temporal
// workflows → Kubernetes driver → the recorded-response API server of the driver's unit tests
// (no Kubernetes API server can be installed here). What this shows is that the engine reaches
// the driver and the driver's answers flow back (the output NodePort, stop/start states, update,
// delete); what a real cluster does with the objects is the live suite's (kubernetes-live.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickstartTemplate } from '../helpers/fixtures.js';
import { startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';
import { RecordedApiServer } from '../unit/drivers/kubernetes/recorded-api-server.js';

let l: Lifecycle;
let server: RecordedApiServer;
let clusterId: string;
let templateId: string;

describe('the quick-start on a KUBERNETES cluster (recorded API server)', () => {
  beforeAll(async () => {
    server = await new RecordedApiServer().start();
    l = await startLifecycle('k8s');
    const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on RegisterClusterSuccess { cluster { id healthy } } ... on Error { message } } }`, {
      input: { name: 'recorded', kind: 'KUBERNETES', kubeconfig: server.kubeconfig(), tenantId: l.tenant.id },
    });
    const cluster = res.data!.registerCluster.cluster;
    if (!cluster) throw new Error(JSON.stringify(res));
    expect(cluster.healthy).toBe(true);
    clusterId = cluster.id;
    templateId = await l.createTemplate(quickstartTemplate(), 'nginx-quickstart');
  });
  afterAll(async () => {
    await l?.close();
    await server?.close();
  });

  it('installs, reports the nodePort as output, stops, starts, scales and deletes', async () => {
    const created = await l.createStack({ templateId, clusterId, namespace: 'quickstart', inputs: { image: 'aos-test/httpd:1', instance: 2 } });
    expect(created.__typename).toBe('CreateStackSuccess');
    const stack = await l.waitFor(created.stack.id, undefined, 120_000);
    expect(stack.status).toBe('NORMAL');
    expect(Number(stack.outputs.find((o) => o.name === 'nginx-NodePort')?.value)).toBe(30000);
    const deployments = [...server.objects.entries()].filter(([key]) => key.startsWith('deployments/quickstart/'));
    expect(deployments).toHaveLength(1);
    const [[, deployment]] = deployments;
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.metadata.labels['aos.stack']).toBe(stack.id);

    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('STOPPED');
    expect(server.get('deployments', 'quickstart', deployment.metadata.name)?.spec.replicas).toBe(0);

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect(server.get('deployments', 'quickstart', deployment.metadata.name)?.spec.replicas).toBe(2);

    expect((await l.update(stack.id, { inputs: { instance: 3 } })).__typename).toBe('UpdateStackSuccess');
    expect(await l.waitFor(stack.id, undefined, 120_000)).toMatchObject({ status: 'NORMAL', revision: 2 });
    expect(server.get('deployments', 'quickstart', deployment.metadata.name)?.spec.replicas).toBe(3);

    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id, 120_000);
    expect([...server.objects.keys()].filter((key) => key.includes('/quickstart/') || key === 'namespaces//quickstart')).toEqual([]);
    expect(server.violations).toEqual([]);
  }, 300_000);
});
