import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSchema } from '../../src/db/entities/index.js';
import { SecretBox } from '../../src/services/secret-box.js';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';

const TASK_QUEUE = `aos-api-clusters-${randomBytes(4).toString('hex')}`;
const K8S_TOKEN = `k8s-token-${randomBytes(8).toString('hex')}`;

const CLUSTER = 'id name kind endpoint publishAddress healthy version healthMessage createdAt';
const REGISTER = `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename
  ... on RegisterClusterSuccess { cluster { ${CLUSTER} } }
  ... on Error { message code } ... on ValidationError { problems { code path message hint } } } }`;
const DELETE = `mutation($id: ID!) { deleteCluster(input: { clusterId: $id }) { __typename ... on DeleteClusterSuccess { clusterId } ... on Error { message code } ... on ClusterInUse { stacks } } }`;

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
/** A stand-in Kubernetes API server: answers /version to callers with the right bearer token. */
let kubeApi: HttpServer;
let kubeApiUrl: string;
/** Accepts connections and never answers: a target that hangs. */
let silent: TcpServer;
let silentPort: number;
const silentSockets = new Set<Socket>();

function kubeconfig(server: string, user: Record<string, unknown> = { token: K8S_TOKEN }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'test',
    contexts: [{ name: 'test', context: { cluster: 'local', user: 'me' } }],
    clusters: [{ name: 'local', cluster: { server } }],
    users: [{ name: 'me', user }],
  });
}

async function register(token: string, input: Record<string, unknown>) {
  const res = await t.gql(token, REGISTER, { input: { name: uniqueName('cl'), ...input } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.registerCluster;
}

function listen<T extends HttpServer | TcpServer>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  t = await startTestApp({ taskQueue: TASK_QUEUE });
  a = await createTenantWithUsers(t, 'cl-a');
  b = await createTenantWithUsers(t, 'cl-b');
  kubeApi = createHttpServer((req, res) => {
    if (req.url === '/version' && req.headers.authorization === `Bearer ${K8S_TOKEN}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ major: '1', minor: '30', gitVersion: 'v1.30.2' }));
    } else {
      res.writeHead(401).end();
    }
  });
  kubeApiUrl = `http://127.0.0.1:${await listen(kubeApi)}`;
  silent = createTcpServer((socket) => silentSockets.add(socket));
  silentPort = await listen(silent);
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await new Promise((resolve) => kubeApi?.close(resolve));
  await t?.close();
});

describe('registerCluster: DOCKER', () => {
  it('registers an engine endpoint with the default publish address; an engine that is not there is unhealthy', async () => {
    const res = await register(a.operator, { kind: 'DOCKER', endpoint: 'unix:///nonexistent.sock' });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    expect(res.cluster).toMatchObject({ kind: 'DOCKER', endpoint: 'unix:///nonexistent.sock', publishAddress: '127.0.0.1', healthy: false, version: null });
    expect(res.cluster.healthMessage).toMatch(/nonexistent\.sock|ENOENT/);
    const tcp = await register(a.operator, { kind: 'DOCKER', endpoint: 'tcp://10.0.0.7:2375', publishAddress: '0.0.0.0' });
    expect(tcp.cluster).toMatchObject({ endpoint: 'tcp://10.0.0.7:2375', publishAddress: '0.0.0.0' });
  });

  it('bounds the live health check at 3 s when the engine hangs', async () => {
    // A tenant of its own: every later `clusters` list of tenant a would wait for this one too.
    const tenant = await createTenantWithUsers(t, 'cl-hang');
    const res = await t.gql(tenant.operator, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id } } } }`, {
      input: { name: uniqueName('hang'), kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${silentPort}` },
    });
    const started = Date.now();
    const list = await t.gql(tenant.viewer, `{ clusters { id healthy healthMessage } }`);
    const elapsed = Date.now() - started;
    const mine = list.data!.clusters.find((c: { id: string }) => c.id === res.data!.registerCluster.cluster.id);
    expect(mine).toMatchObject({ healthy: false });
    expect(mine.healthMessage).toMatch(/3000 ms/);
    expect(elapsed).toBeLessThan(4500);
  });

  it('refuses a missing or malformed endpoint, a publish address that is not an IP, and fields of other kinds', async () => {
    const problems = async (input: Record<string, unknown>) => {
      const res = await register(a.operator, { kind: 'DOCKER', ...input });
      expect(res.__typename).toBe('ValidationError');
      return res.problems.map((p: { path: string }) => p.path).sort();
    };
    expect(await problems({})).toEqual(['endpoint']);
    expect(await problems({ endpoint: 'http://docker:2375' })).toEqual(['endpoint']);
    expect(await problems({ endpoint: 'unix://relative.sock' })).toEqual(['endpoint']);
    expect(await problems({ endpoint: 'tcp://host:99999' })).toEqual(['endpoint']);
    expect(await problems({ endpoint: 'tcp://host:2375', publishAddress: 'localhost' })).toEqual(['publishAddress']);
    expect(await problems({ endpoint: 'tcp://host:2375', kubeconfig: 'x', connectionUrl: 'postgresql://h/db' })).toEqual(['connectionUrl', 'kubeconfig']);
  });
});

describe('registerCluster: KUBERNETES', () => {
  it('stores the kubeconfig sealed, shows the API server, checks it live and never returns the credentials', async () => {
    const config = kubeconfig(kubeApiUrl);
    const res = await register(a.operator, { kind: 'KUBERNETES', kubeconfig: config });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    expect(res.cluster).toMatchObject({ kind: 'KUBERNETES', endpoint: kubeApiUrl, publishAddress: null, healthy: true, version: 'Kubernetes v1.30.2', healthMessage: null });
    const row = await t.app.orm.em.fork().findOneOrFail(ClusterSchema, { id: res.cluster.id });
    expect(row.credentialsEnc).toMatch(/^enc:v1:/);
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(row.credentialsEnc!)).toEqual({ kubeconfig: config });
    const list = await t.gql(a.viewer, `{ clusters { ${CLUSTER} } }`);
    for (const body of [JSON.stringify(res), JSON.stringify(list)]) expect(body).not.toContain(K8S_TOKEN);
  });

  it('is unhealthy when the API server refuses the credentials', async () => {
    const res = await register(a.operator, { kind: 'KUBERNETES', kubeconfig: kubeconfig(kubeApiUrl, { token: 'wrong' }) });
    expect(res.cluster).toMatchObject({ healthy: false, healthMessage: 'Kubernetes API server answered HTTP 401' });
  });

  it('refuses a missing or unusable kubeconfig, and one that would run commands or read files here', async () => {
    const problem = async (input: Record<string, unknown>) => {
      const res = await register(a.operator, { kind: 'KUBERNETES', ...input });
      expect(res.__typename).toBe('ValidationError');
      return res.problems[0];
    };
    expect(await problem({})).toMatchObject({ path: 'kubeconfig', code: 'MISSING_VALUE' });
    expect(await problem({ kubeconfig: 'clusters: [' })).toMatchObject({ path: 'kubeconfig', message: 'the kubeconfig is not valid YAML' });
    expect(await problem({ kubeconfig: 'apiVersion: v1\nkind: Config\n' })).toMatchObject({ message: /no usable context/ });
    expect(await problem({ kubeconfig: kubeconfig('ftp://x') })).toMatchObject({ message: /https/ });
    expect(await problem({ kubeconfig: kubeconfig(kubeApiUrl, { exec: { command: 'sh', args: ['-c', 'id'] } }) })).toMatchObject({ message: /"exec"/ });
    expect(await problem({ kubeconfig: kubeconfig(kubeApiUrl, { 'client-key': '/etc/shadow' }) })).toMatchObject({ message: /"client-key"/ });
    expect(await problem({ kubeconfig: kubeconfig(kubeApiUrl), endpoint: 'tcp://x:1' })).toMatchObject({ path: 'endpoint' });
  });
});

describe('registerCluster: POSTGRESQL', () => {
  it('stores the connection URL sealed, shows the server without credentials and is healthy when the server answers', async () => {
    const connectionUrl = process.env.DATABASE_URL!;
    const url = new URL(connectionUrl);
    const res = await register(a.operator, { kind: 'POSTGRESQL', connectionUrl });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    expect(res.cluster).toMatchObject({ kind: 'POSTGRESQL', endpoint: `postgresql://${url.host}${url.pathname}`, healthy: true, healthMessage: null });
    expect(res.cluster.version).toMatch(/^PostgreSQL \d+/);
    const row = await t.app.orm.em.fork().findOneOrFail(ClusterSchema, { id: res.cluster.id });
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(row.credentialsEnc!)).toEqual({ connectionUrl });
    const list = await t.gql(a.viewer, `{ clusters { ${CLUSTER} } }`);
    for (const body of [JSON.stringify(res), JSON.stringify(list)]) {
      expect(body).not.toContain(connectionUrl);
      expect(body).not.toContain(`:${url.password}@`);
    }
  });

  it('is unhealthy when the server refuses the connection', async () => {
    // The local server may trust 127.0.0.1 whatever the password: ask for a database that is not there.
    const url = new URL(process.env.DATABASE_URL!);
    url.password = 'not-the-password';
    url.pathname = `/no_such_database_${randomBytes(4).toString('hex')}`;
    const res = await register(a.operator, { kind: 'POSTGRESQL', connectionUrl: url.toString() });
    expect(res.cluster.healthy).toBe(false);
    expect(res.cluster.healthMessage).toMatch(/PostgreSQL server did not answer/);
    expect(res.cluster.healthMessage).not.toContain('not-the-password');
  });

  it('refuses a missing or malformed connection URL without echoing it', async () => {
    const problem = async (connectionUrl?: string) => {
      const res = await register(a.operator, { kind: 'POSTGRESQL', connectionUrl });
      expect(res.__typename).toBe('ValidationError');
      return res.problems[0];
    };
    expect(await problem()).toMatchObject({ path: 'connectionUrl', code: 'MISSING_VALUE' });
    expect(await problem('mysql://u:p@h/db')).toMatchObject({ path: 'connectionUrl', message: /postgresql:\/\// });
    const garbled = await problem('not a url with s3cret');
    expect(garbled.message).not.toContain('s3cret');
  });
});

describe('clusters of a tenant', () => {
  it('keeps names unique per tenant (NameTaken), lists only the tenant’s clusters, refuses VIEWERs', async () => {
    const name = uniqueName('dup');
    expect((await register(a.operator, { name, kind: 'DOCKER', endpoint: 'unix:///x.sock' })).__typename).toBe('RegisterClusterSuccess');
    expect(await register(a.operator, { name, kind: 'DOCKER', endpoint: 'unix:///y.sock' })).toMatchObject({ __typename: 'NameTaken', code: 'NAME_TAKEN' });
    expect((await register(b.operator, { name, kind: 'DOCKER', endpoint: 'unix:///x.sock' })).__typename).toBe('RegisterClusterSuccess');
    expect(await register(a.viewer, { kind: 'DOCKER', endpoint: 'unix:///x.sock' })).toMatchObject({ __typename: 'Forbidden' });
    expect(await register(a.operator, { name: 'bad name', kind: 'DOCKER', endpoint: 'unix:///x.sock' })).toMatchObject({ __typename: 'ValidationError' });
    const listA = await t.gql(a.viewer, `{ clusters { name } }`);
    const listB = await t.gql(b.viewer, `{ clusters { name } }`);
    expect(listA.data!.clusters.filter((c: { name: string }) => c.name === name)).toHaveLength(1);
    expect(listB.data!.clusters.map((c: { name: string }) => c.name)).toEqual([name]);
  });

  it('puts stacks on a cluster by name; refuses to delete a cluster in use (ClusterInUse), deletes an unused one', async () => {
    const cluster = (await register(a.operator, { kind: 'DOCKER', endpoint: 'unix:///nonexistent.sock' })).cluster;
    const template = await t.gql(a.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ... on CreateTemplateSuccess { template { id } } } }`, {
      input: { name: uniqueName('rand'), version: '1', body: 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates:\n  one:\n    type: CTC.Core.RandomString\n' },
    });
    const stackName = uniqueName('on-cluster');
    const created = await t.gql(a.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { cluster { id name kind } } } } }`, {
      input: { name: stackName, templateId: template.data!.createTemplate.template.id, clusterName: cluster.name, deploy: false },
    });
    expect(created.data!.createStack.stack.cluster).toEqual({ id: cluster.id, name: cluster.name, kind: 'DOCKER' });
    const refused = await t.gql(a.operator, DELETE, { id: cluster.id });
    expect(refused.data!.deleteCluster).toMatchObject({ __typename: 'ClusterInUse', code: 'CLUSTER_IN_USE', stacks: [stackName] });
    const unused = (await register(a.operator, { kind: 'DOCKER', endpoint: 'unix:///nonexistent.sock' })).cluster;
    expect((await t.gql(b.operator, DELETE, { id: unused.id })).data!.deleteCluster.__typename).toBe('NotFound');
    expect((await t.gql(a.operator, DELETE, { id: unused.id })).data!.deleteCluster).toEqual({ __typename: 'DeleteClusterSuccess', clusterId: unused.id });
    expect((await t.gql(a.operator, DELETE, { id: unused.id })).data!.deleteCluster.__typename).toBe('NotFound');
  });

  it('audits registrations and deletions with the credentials masked', async () => {
    const tenant = await createTenantWithUsers(t, 'cl-audit');
    const registered = await register(tenant.operator, { kind: 'KUBERNETES', kubeconfig: kubeconfig(kubeApiUrl) });
    await register(tenant.operator, { kind: 'POSTGRESQL', connectionUrl: process.env.DATABASE_URL });
    await register(tenant.operator, { kind: 'DOCKER' });
    await t.gql(tenant.operator, DELETE, { id: registered.cluster.id });
    const res = await t.gql(tenant.viewer, `{ auditRecords(first: 20, filter: { resourceType: "cluster" }) { edges { node { traceName code resourceId request } } } }`);
    const records = res.data!.auditRecords.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(records.map((r: { traceName: string; code: number }) => `${r.traceName}:${r.code}`)).toEqual(['DeleteCluster:200', 'RegisterCluster:400', 'RegisterCluster:200', 'RegisterCluster:200']);
    expect(records[3].resourceId).toBe(registered.cluster.id);
    expect(records[3].request).toMatchObject({ kind: 'KUBERNETES', kubeconfig: '******' });
    expect(records[2].request).toMatchObject({ kind: 'POSTGRESQL', connectionUrl: '******' });
    expect(JSON.stringify(records)).not.toContain(K8S_TOKEN);
  });
});
