import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ClusterSchema } from '../../src/db/entities/index.js';
import { parseEndpointPolicy, platformServices, type EndpointPolicy } from '../../src/drivers/endpoint-policy.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { dockerHost } from '../helpers/docker.js';

const TASK_QUEUE = `aos-api-clusters-${randomBytes(4).toString('hex')}`;
const K8S_TOKEN = `k8s-token-${randomBytes(8).toString('hex')}`;
/** What hostile peers send: it must never come back in an API answer. */
const PEER_TEXT = `peer-says-${randomBytes(6).toString('hex')}`;

const CLUSTER = 'id name kind endpoint publishAddress healthy version healthMessage createdAt trusted';
const REGISTER = `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename
  ... on RegisterClusterSuccess { cluster { ${CLUSTER} } }
  ... on Error { message code } ... on ValidationError { problems { code path message hint } } } }`;
/** Without the live health fields: registration alone, no connection made. */
const REGISTER_ONLY = `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename
  ... on RegisterClusterSuccess { cluster { id name kind endpoint publishAddress trusted } }
  ... on Error { message code } ... on ValidationError { problems { code path message hint } } } }`;
const DELETE = `mutation($id: ID!) { deleteCluster(input: { clusterId: $id }) { __typename ... on DeleteClusterSuccess { clusterId } ... on Error { message code } ... on ClusterInUse { stacks } } }`;

interface Tenant extends TestTenant {
  admin: string;
}

let t: TestApp;
let a: Tenant;
let b: Tenant;
/** The policy the test app runs with: the defaults, plus the two local stand-ins below. */
let policy: EndpointPolicy;
/** A stand-in Kubernetes API server: answers /version to callers with the right bearer token. */
let kubeApi: HttpServer;
let kubeApiUrl: string;
/** A stand-in Docker engine: answers /version like one. */
let fakeEngine: HttpServer;
let fakeEnginePort: number;
/** Answers every request with an error page of its own words. */
let chatty: HttpServer;
let chattyPort: number;
/** Accepts connections and never answers: a target that hangs. */
let silent: TcpServer;
let silentPort: number;
/** Answers HTTP 200 and then streams a body without end. */
let streaming: TcpServer;
let streamingPort: number;
let streamedBytes = 0;
const peerSockets = new Set<Socket>();

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

async function register(token: string, input: Record<string, unknown>, query = REGISTER) {
  const res = await t.gql(token, query, { input: { name: uniqueName('cl'), ...input } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.registerCluster;
}

/** The problems of a registration that must fail, as `path: message`. */
async function refused(token: string, input: Record<string, unknown>): Promise<{ path: string; code: string; message: string }[]> {
  const res = await register(token, input, REGISTER_ONLY);
  expect(res.__typename, JSON.stringify(input)).toBe('ValidationError');
  return res.problems;
}

function listen<T extends HttpServer | TcpServer>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function tenantWithAdmin(prefix: string): Promise<Tenant> {
  const tenant = await createTenantWithUsers(t, prefix);
  const res = await t.gql(t.adminToken, `mutation($tenantId: ID!) { createUser(input: { tenantId: $tenantId, name: "admin-1", role: ADMIN }) { __typename ... on CreateUserSuccess { token } ... on Error { message } } }`, { tenantId: tenant.id });
  const admin = res.data?.createUser?.token;
  if (!admin) throw new Error(`createUser failed: ${JSON.stringify(res)}`);
  return { ...tenant, admin };
}

function policyOf(text: string): EndpointPolicy {
  const config = loadConfig();
  return parseEndpointPolicy(text, platformServices({ databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress, apiHost: config.host, apiPort: config.port }));
}

beforeAll(async () => {
  kubeApi = createHttpServer((req, res) => {
    if (req.url === '/version' && req.headers.authorization === `Bearer ${K8S_TOKEN}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ major: '1', minor: '30', gitVersion: 'v1.30.2' }));
    } else {
      res.writeHead(401).end(PEER_TEXT);
    }
  });
  kubeApiUrl = `http://127.0.0.1:${await listen(kubeApi)}`;
  fakeEngine = createHttpServer((req, res) => {
    if (req.url === '/version') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: '99.0.1', ApiVersion: '1.99' }));
    else res.writeHead(404).end();
  });
  fakeEnginePort = await listen(fakeEngine);
  chatty = createHttpServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal service: ${PEER_TEXT}`));
  chattyPort = await listen(chatty);
  silent = createTcpServer((socket) => {
    peerSockets.add(socket);
    // Reads (and drops) what comes, so that the client closing its side is seen.
    socket.resume();
  });
  silentPort = await listen(silent);
  const chunk = Buffer.from(`${PEER_TEXT} `.repeat(4096));
  streaming = createTcpServer((socket) => {
    peerSockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      const pump = (): void => {
        while (!socket.destroyed) {
          streamedBytes += chunk.length;
          if (!socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
  streamingPort = await listen(streaming);
  // The platform's own defaults, plus the stand-ins a tenant may reach (by address and port only).
  policy = policyOf(JSON.stringify({ allow: [`127.0.0.1:${fakeEnginePort}`, `127.0.0.1:${new URL(kubeApiUrl).port}`, `127.0.0.1:${chattyPort}`] }));
  t = await startTestApp({ taskQueue: TASK_QUEUE, clusterEndpointPolicy: policy });
  a = await tenantWithAdmin('cl-a');
  b = await tenantWithAdmin('cl-b');
});

afterAll(async () => {
  for (const socket of peerSockets) socket.destroy();
  for (const server of [silent, streaming, kubeApi, fakeEngine, chatty]) await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

describe('who registers clusters', () => {
  it("only the tenant's ADMIN registers and deletes; OPERATOR and VIEWER are Forbidden", async () => {
    const endpoint = `tcp://127.0.0.1:${fakeEnginePort}`;
    expect(await register(a.operator, { kind: 'DOCKER', endpoint })).toMatchObject({ __typename: 'Forbidden' });
    expect(await register(a.viewer, { kind: 'DOCKER', endpoint })).toMatchObject({ __typename: 'Forbidden' });
    const res = await register(a.admin, { kind: 'DOCKER', endpoint });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    // An allowed tenant engine: ports are published, and probed, on the engine's own address.
    expect(res.cluster).toMatchObject({ endpoint, publishAddress: '127.0.0.1', trusted: false, healthy: true, version: 'Docker 99.0.1 (API 1.99)', healthMessage: null });
    expect((await t.gql(a.operator, DELETE, { id: res.cluster.id })).data!.deleteCluster.__typename).toBe('Forbidden');
    expect((await t.gql(b.admin, DELETE, { id: res.cluster.id })).data!.deleteCluster.__typename).toBe('NotFound');
    expect((await t.gql(a.admin, DELETE, { id: res.cluster.id })).data!.deleteCluster).toEqual({ __typename: 'DeleteClusterSuccess', clusterId: res.cluster.id });
  });

  it("a tenant ADMIN naming its own tenant registers for it; another tenant's id is NotFound", async () => {
    expect((await register(a.admin, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${fakeEnginePort}`, tenantId: a.id }, REGISTER_ONLY)).__typename).toBe('RegisterClusterSuccess');
    expect(await register(a.admin, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${fakeEnginePort}`, tenantId: b.id }, REGISTER_ONLY)).toMatchObject({ __typename: 'NotFound' });
    expect(await register(a.admin, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${fakeEnginePort}`, tenantId: 'not-a-uuid' }, REGISTER_ONLY)).toMatchObject({ __typename: 'NotFound' });
    const listB = await t.gql(b.viewer, `{ clusters { name } }`);
    expect(listB.data!.clusters).toEqual([]);
  });

  it('the platform administrator registers any endpoint for a tenant, trusted; the tenant sees it, and the audit trail of both shows it', async () => {
    const tenant = await tenantWithAdmin('cl-trusted');
    const name = uniqueName('nowhere');
    const res = await register(t.adminToken, { name, kind: 'DOCKER', endpoint: 'unix:///nonexistent.sock', publishAddress: '0.0.0.0', tenantId: tenant.id });
    expect(res.cluster).toMatchObject({ name, endpoint: 'unix:///nonexistent.sock', publishAddress: '0.0.0.0', trusted: true, healthy: false, healthMessage: 'unreachable' });
    const list = await t.gql(tenant.viewer, `{ clusters { name trusted } }`);
    expect(list.data!.clusters).toEqual([{ name, trusted: true }]);
    const audit = await t.gql(tenant.admin, `{ auditRecords(first: 5, filter: { resourceType: "cluster" }) { edges { node { traceName code resourceId } } } }`);
    expect(audit.data!.auditRecords.edges.map((e: { node: unknown }) => e.node)).toEqual([{ traceName: 'RegisterCluster', code: 200, resourceId: res.cluster.id }]);
    expect(await register(t.adminToken, { kind: 'DOCKER', endpoint: 'unix:///x.sock', tenantId: '00000000-0000-4000-8000-000000000000' }, REGISTER_ONLY)).toMatchObject({ __typename: 'NotFound' });
  });

  it.skipIf(!dockerHost())('the platform administrator registers its own Docker engine for a tenant: trusted and healthy', async () => {
    const tenant = await tenantWithAdmin('cl-engine');
    const res = await register(t.adminToken, { name: 'local', kind: 'DOCKER', endpoint: dockerHost(), tenantId: tenant.id });
    expect(res.cluster).toMatchObject({ name: 'local', trusted: true, healthy: true, healthMessage: null });
    expect(res.cluster.version).toMatch(/^Docker \d+/);
    // The same engine is out of the tenant's own reach.
    expect((await refused(tenant.admin, { kind: 'DOCKER', endpoint: dockerHost() }))[0]).toMatchObject({ path: 'endpoint', code: 'ENDPOINT_NOT_ALLOWED' });
  });
});

describe('the endpoint policy for tenant registrations', () => {
  it('refuses loopback, link-local, metadata, private and unspecified addresses in every spelling, and unix sockets', async () => {
    const endpoints = [
      'tcp://127.0.0.1:2375',
      'tcp://127.0.0.1:5432',
      'tcp://localhost:2375',
      'tcp://LOCALHOST.:2375',
      'tcp://[::1]:2375',
      'tcp://[::ffff:127.0.0.1]:2375',
      'tcp://[::ffff:7f00:1]:2375',
      'tcp://2130706433:2375',
      'tcp://0x7f000001:2375',
      'tcp://0177.0.0.1:2375',
      'tcp://127.1:2375',
      'tcp://0.0.0.0:2375',
      'tcp://[::]:2375',
      'tcp://169.254.169.254:80',
      'tcp://[fd00:ec2::254]:80',
      'tcp://100.100.100.200:80',
      'tcp://10.0.0.1:2375',
      'tcp://172.16.5.4:2375',
      'tcp://192.168.1.1:2375',
      'tcp://100.64.0.1:2375',
      'tcp://[fe80::1]:2375',
      'tcp://[fc00::1]:2375',
      'unix:///var/run/docker.sock',
      'unix:///tmp/any.sock',
      // An allowed address, on another port than the policy lists.
      `tcp://127.0.0.1:${fakeEnginePort + 1}`,
    ];
    if (dockerHost()) endpoints.push(dockerHost());
    for (const endpoint of endpoints) {
      const problems = await refused(a.admin, { kind: 'DOCKER', endpoint });
      expect(problems, endpoint).toEqual([expect.objectContaining({ path: 'endpoint', code: 'ENDPOINT_NOT_ALLOWED' })]);
    }
    const list = await t.gql(a.viewer, `{ clusters { endpoint } }`);
    expect(list.data!.clusters.map((c: { endpoint: string }) => c.endpoint).filter((e: string) => endpoints.includes(e))).toEqual([]);
  });

  it('resolves host names and refuses one whose address is forbidden, without telling the address', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (!addresses.some((x) => x.address.startsWith('127.') || x.address === '::1')) {
      console.log(`skipped: ${name} does not resolve to loopback here`);
      return;
    }
    const [problem] = await refused(a.admin, { kind: 'DOCKER', endpoint: `tcp://${name}:2375` });
    expect(problem).toMatchObject({ path: 'endpoint', code: 'ENDPOINT_NOT_ALLOWED' });
    expect(problem.message).toContain(name);
    expect(problem.message).not.toMatch(/127\.|::1/);
    expect((await refused(a.admin, { kind: 'DOCKER', endpoint: 'tcp://no-such-host.invalid:2375' }))[0].message).toMatch(/does not resolve/);
  });

  it('keeps publishAddress inside the policy (0.0.0.0 refused)', async () => {
    const endpoint = `tcp://127.0.0.1:${fakeEnginePort}`;
    for (const publishAddress of ['0.0.0.0', '::', '10.1.2.3', '169.254.169.254']) {
      expect(await refused(a.admin, { kind: 'DOCKER', endpoint, publishAddress }), publishAddress).toEqual([expect.objectContaining({ path: 'publishAddress', code: 'ENDPOINT_NOT_ALLOWED' })]);
    }
  });

  it("refuses the platform's database and a PostgreSQL URL with file parameters, naming the parameter and never the password", async () => {
    const platformDb = new URL(process.env.DATABASE_URL!);
    const [db] = await refused(a.admin, { kind: 'POSTGRESQL', connectionUrl: platformDb.toString() });
    expect(db).toMatchObject({ path: 'connectionUrl', code: 'ENDPOINT_NOT_ALLOWED' });
    // Even where the policy allows loopback, the platform's database stays out of reach.
    t.app.services.config.clusterEndpointPolicy = policyOf('{"allow": ["127.0.0.0/8"]}');
    try {
      const [again] = await refused(a.admin, { kind: 'POSTGRESQL', connectionUrl: platformDb.toString() });
      expect(again.message).toMatch(/service of the platform itself/);
    } finally {
      t.app.services.config.clusterEndpointPolicy = policy;
    }

    const password = `pw-${randomBytes(6).toString('hex')}`;
    const started = Date.now();
    for (const parameter of ['sslrootcert=/dev/zero', 'sslcert=/etc/passwd', 'sslkey=/etc/shadow', 'passfile=/root/.pgpass', 'options=-c%20log_statement%3Dall', 'service=x', 'sslmode=prefer']) {
      const problems = await refused(a.admin, { kind: 'POSTGRESQL', connectionUrl: `postgresql://u:${password}@db.example.com:5432/app?sslmode=require&${parameter}` });
      const name = parameter.split('=')[0];
      expect(problems.some((p) => p.path === 'connectionUrl' && p.message.includes(name === 'sslmode' ? 'sslmode' : `"${name}"`)), parameter).toBe(true);
      expect(JSON.stringify(problems)).not.toContain(password);
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('checks a kubeconfig server like any endpoint', async () => {
    expect(await refused(a.admin, { kind: 'KUBERNETES', kubeconfig: kubeconfig('https://127.0.0.1:6443') })).toEqual([expect.objectContaining({ path: 'kubeconfig', code: 'ENDPOINT_NOT_ALLOWED' })]);
    expect(await refused(a.admin, { kind: 'KUBERNETES', kubeconfig: kubeconfig('https://[::ffff:169.254.169.254]') })).toEqual([expect.objectContaining({ path: 'kubeconfig', code: 'ENDPOINT_NOT_ALLOWED' })]);
  });

  it('is applied again on every connection: an endpoint the policy no longer allows is not contacted', async () => {
    const res = await register(a.admin, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${chattyPort}` }, REGISTER_ONLY);
    expect(res.__typename).toBe('RegisterClusterSuccess');
    let contacted = 0;
    const count = (): void => {
      contacted++;
    };
    chatty.on('request', count);
    t.app.services.config.clusterEndpointPolicy = policyOf('');
    try {
      const list = await t.gql(a.viewer, `{ clusters { id healthy healthMessage } }`);
      expect(list.data!.clusters.find((c: { id: string }) => c.id === res.cluster.id)).toEqual({ id: res.cluster.id, healthy: false, healthMessage: 'refused by the endpoint policy' });
      expect(contacted).toBe(0);
    } finally {
      t.app.services.config.clusterEndpointPolicy = policy;
      chatty.off('request', count);
    }
  });

  it('a bad AOS_CLUSTER_ENDPOINT_POLICY stops the process at start, naming the fault', () => {
    const saved = process.env.AOS_CLUSTER_ENDPOINT_POLICY;
    try {
      for (const [text, fault] of [['{"allow": ["10.0.0.0/33"]}', /10\.0\.0\.0\/33/], ['{"alow": []}', /unknown key "alow"/], ['{', /not valid JSON/], ['{"unixSockets": ["docker.sock"]}', /absolute/]] as const) {
        process.env.AOS_CLUSTER_ENDPOINT_POLICY = text;
        expect(() => loadConfig()).toThrow(fault);
      }
      process.env.AOS_CLUSTER_ENDPOINT_POLICY = '10.20.0.0/16, k8s.example.com:6443';
      expect(loadConfig().clusterEndpointPolicy.allow.map((rule) => rule.text)).toEqual(['10.20.0.0/16', 'k8s.example.com:6443']);
    } finally {
      if (saved === undefined) delete process.env.AOS_CLUSTER_ENDPOINT_POLICY;
      else process.env.AOS_CLUSTER_ENDPOINT_POLICY = saved;
    }
  });
});

describe('bounded health checks', () => {
  it('a server streaming without end: the check ends by the timeout, memory stays flat, its words never come back', async () => {
    const tenant = await tenantWithAdmin('cl-stream');
    const res = await register(t.adminToken, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${streamingPort}`, tenantId: tenant.id }, REGISTER_ONLY);
    expect(res.cluster.trusted).toBe(true);
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const started = Date.now();
    const list = await t.gql(tenant.viewer, `{ clusters { id healthy version healthMessage } }`);
    const elapsed = Date.now() - started;
    clearInterval(sampler);
    const after = process.memoryUsage();
    console.log(`endless body: answered in ${elapsed} ms, peer sent ${Math.round(streamedBytes / 1024)} KiB, rss +${Math.round((peakRss - before.rss) / 1048576)} MB (peak), heap +${Math.round((after.heapUsed - before.heapUsed) / 1048576)} MB`);
    expect(list.data!.clusters).toEqual([{ id: res.cluster.id, healthy: false, version: null, healthMessage: 'not a Docker engine' }]);
    expect(JSON.stringify(list)).not.toContain(PEER_TEXT);
    expect(elapsed).toBeLessThan(3500);
    expect(peakRss - before.rss).toBeLessThan(50 * 1048576);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(50 * 1048576);
  });

  it('a server that accepts and never answers: the check ends at 3 s and lets go of the connection', async () => {
    const tenant = await tenantWithAdmin('cl-hang');
    const res = await register(t.adminToken, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${silentPort}`, tenantId: tenant.id }, REGISTER_ONLY);
    const open = () => [...peerSockets].filter((s) => !s.destroyed && s.localPort === silentPort && !s.readableEnded).length;
    const started = Date.now();
    const list = await t.gql(tenant.viewer, `{ clusters { id healthy healthMessage } }`);
    const elapsed = Date.now() - started;
    expect(list.data!.clusters).toEqual([{ id: res.cluster.id, healthy: false, healthMessage: 'timed out (no answer within 3000 ms)' }]);
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(4000);
    // The client's side is destroyed at the deadline: the server sees the connection end at once.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(open()).toBe(0);
  });

  it("an endpoint's own words (an error page, a refusal) never reach the answer: generic reasons only", async () => {
    const chattyCluster = await register(a.admin, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${chattyPort}` });
    expect(chattyCluster.cluster).toMatchObject({ healthy: false, healthMessage: 'not a Docker engine' });
    const kube = await register(a.admin, { kind: 'KUBERNETES', kubeconfig: kubeconfig(kubeApiUrl, { token: 'wrong' }) });
    expect(kube.cluster).toMatchObject({ healthy: false, healthMessage: 'authentication failed' });
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createTcpServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const closed = await register(t.adminToken, { kind: 'DOCKER', endpoint: `tcp://127.0.0.1:${closedPort}`, tenantId: a.id });
    expect(closed.cluster).toMatchObject({ healthy: false, healthMessage: 'unreachable' });
    const everything = await t.gql(a.viewer, `{ clusters { ${CLUSTER} } }`);
    for (const body of [JSON.stringify(chattyCluster), JSON.stringify(kube), JSON.stringify(everything)]) {
      expect(body).not.toContain(PEER_TEXT);
      expect(body).not.toMatch(/ECONNREFUSED|internal service/);
    }
  });
});

describe('registerCluster: grammar (as the platform administrator, so no policy is in the way)', () => {
  it('refuses a missing or malformed endpoint, a publish address that is not an IP, and fields of other kinds', async () => {
    const problems = async (input: Record<string, unknown>) => {
      const res = await register(t.adminToken, { kind: 'DOCKER', tenantId: a.id, ...input }, REGISTER_ONLY);
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

  it('keeps a workload cluster\'s default stop grace (0 to 300 s); refuses it out of range and on a PostgreSQL server, storing nothing', async () => {
    const graceOf = `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename
      ... on RegisterClusterSuccess { cluster { name stopGracePeriodSeconds } } ... on ValidationError { problems { path message } } } }`;
    const count = async () => (await t.gql(a.admin, '{ clusters { id } }')).data!.clusters.length as number;
    const before = await count();
    const kept = await register(t.adminToken, { kind: 'DOCKER', tenantId: a.id, endpoint: 'tcp://host:2375', stopGracePeriodSeconds: 45 }, graceOf);
    expect(kept).toMatchObject({ __typename: 'RegisterClusterSuccess', cluster: { stopGracePeriodSeconds: 45 } });
    const unset = await register(t.adminToken, { kind: 'DOCKER', tenantId: a.id, endpoint: 'tcp://host:2375' }, graceOf);
    expect(unset.cluster.stopGracePeriodSeconds).toBeNull();
    for (const stopGracePeriodSeconds of [-1, 301]) {
      const res = await register(t.adminToken, { kind: 'DOCKER', tenantId: a.id, endpoint: 'tcp://host:2375', stopGracePeriodSeconds }, graceOf);
      expect(res.problems, String(stopGracePeriodSeconds)).toEqual([{ path: 'stopGracePeriodSeconds', message: expect.stringContaining('from 0 to 300') }]);
    }
    const onPostgres = await register(t.adminToken, { kind: 'POSTGRESQL', tenantId: a.id, connectionUrl: 'postgresql://aos_rds_admin@127.0.0.1:5432/postgres', stopGracePeriodSeconds: 5 }, graceOf);
    expect(onPostgres.problems).toEqual([{ path: 'stopGracePeriodSeconds', message: 'stopGracePeriodSeconds applies only to DOCKER and KUBERNETES clusters' }]);
    const listed = await t.gql(a.admin, '{ clusters { name stopGracePeriodSeconds } }');
    expect(listed.data!.clusters).toContainEqual({ name: kept.cluster.name, stopGracePeriodSeconds: 45 });
    expect(await count()).toBe(before + 2);
  });
});

describe('registerCluster: KUBERNETES', () => {
  it('stores the kubeconfig sealed, shows the API server, checks it live and never returns the credentials', async () => {
    const config = kubeconfig(kubeApiUrl);
    const res = await register(a.admin, { kind: 'KUBERNETES', kubeconfig: config });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    expect(res.cluster).toMatchObject({ kind: 'KUBERNETES', endpoint: kubeApiUrl, publishAddress: new URL(kubeApiUrl).hostname, healthy: true, version: 'Kubernetes v1.30.2', healthMessage: null });
    const row = await t.app.orm.em.fork().findOneOrFail(ClusterSchema, { id: res.cluster.id });
    expect(row.credentialsEnc).toMatch(/^enc:v1:/);
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(row.credentialsEnc!)).toEqual({ kubeconfig: config });
    const list = await t.gql(a.viewer, `{ clusters { ${CLUSTER} } }`);
    for (const body of [JSON.stringify(res), JSON.stringify(list)]) expect(body).not.toContain(K8S_TOKEN);
  });

  it('refuses a missing or unusable kubeconfig, and one that would run commands or read files here', async () => {
    const problem = async (input: Record<string, unknown>) => {
      const res = await register(a.admin, { kind: 'KUBERNETES', ...input }, REGISTER_ONLY);
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

describe('registerCluster: POSTGRESQL (the platform administrator registers a server on its own network)', () => {
  it('stores the connection URL sealed, shows the server without credentials and is healthy when the server answers', async () => {
    const connectionUrl = process.env.DATABASE_URL!;
    const url = new URL(connectionUrl);
    const res = await register(t.adminToken, { kind: 'POSTGRESQL', connectionUrl, tenantId: a.id });
    expect(res.__typename).toBe('RegisterClusterSuccess');
    expect(res.cluster).toMatchObject({ kind: 'POSTGRESQL', endpoint: `postgresql://${url.hostname}:${url.port || 5432}${url.pathname}`, healthy: true, healthMessage: null, trusted: true });
    expect(res.cluster.version).toMatch(/^PostgreSQL \d+(\.\d+)*$/);
    const row = await t.app.orm.em.fork().findOneOrFail(ClusterSchema, { id: res.cluster.id });
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(row.credentialsEnc!)).toEqual({ connectionUrl });
    const list = await t.gql(a.viewer, `{ clusters { ${CLUSTER} } }`);
    for (const body of [JSON.stringify(res), JSON.stringify(list)]) {
      expect(body).not.toContain(connectionUrl);
      if (url.password) expect(body).not.toContain(`:${url.password}@`);
    }
  });

  it('is unhealthy with a generic reason when the server refuses the connection', async () => {
    // The local server may trust 127.0.0.1 whatever the password: ask for a database that is not there.
    const url = new URL(process.env.DATABASE_URL!);
    url.password = 'not-the-password';
    url.pathname = `/no_such_database_${randomBytes(4).toString('hex')}`;
    const res = await register(t.adminToken, { kind: 'POSTGRESQL', connectionUrl: url.toString(), tenantId: a.id });
    expect(res.cluster.healthy).toBe(false);
    expect(['authentication failed', 'the database does not exist']).toContain(res.cluster.healthMessage);
    expect(JSON.stringify(res)).not.toContain('not-the-password');
  });

  it('a stored URL with a file parameter (registered before the rule) is not used by the health check', async () => {
    const res = await register(t.adminToken, { kind: 'POSTGRESQL', connectionUrl: process.env.DATABASE_URL!, tenantId: a.id }, REGISTER_ONLY);
    const em = t.app.orm.em.fork();
    const row = await em.findOneOrFail(ClusterSchema, { id: res.cluster.id });
    row.credentialsEnc = new SecretBox(process.env.AOS_SECRET_KEY!).seal({ connectionUrl: `${process.env.DATABASE_URL}?sslmode=verify-full&sslrootcert=/dev/zero` });
    await em.flush();
    const started = Date.now();
    const list = await t.gql(a.viewer, `{ clusters { id healthy healthMessage } }`);
    expect(list.data!.clusters.find((c: { id: string }) => c.id === res.cluster.id)).toMatchObject({ healthy: false, healthMessage: /not usable/ });
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('refuses a missing or malformed connection URL without echoing it', async () => {
    const problem = async (connectionUrl?: string) => {
      const res = await register(a.admin, { kind: 'POSTGRESQL', connectionUrl }, REGISTER_ONLY);
      expect(res.__typename).toBe('ValidationError');
      return res.problems[0];
    };
    expect(await problem()).toMatchObject({ path: 'connectionUrl', code: 'MISSING_VALUE' });
    expect(await problem('mysql://u:p@h/db')).toMatchObject({ path: 'connectionUrl', message: /postgresql:\/\// });
    const garbled = await problem('not a url with s3cret');
    expect(garbled.message).not.toContain('s3cret');
    expect(await problem('postgresql://u:s3cret@db.example.com/a/b')).toMatchObject({ path: 'connectionUrl', message: /one path segment/ });
  });
});

describe('clusters of a tenant', () => {
  it('keeps names unique per tenant (NameTaken), lists only the tenant’s clusters', async () => {
    const endpoint = `tcp://127.0.0.1:${fakeEnginePort}`;
    const name = uniqueName('dup');
    expect((await register(a.admin, { name, kind: 'DOCKER', endpoint }, REGISTER_ONLY)).__typename).toBe('RegisterClusterSuccess');
    expect(await register(a.admin, { name, kind: 'DOCKER', endpoint }, REGISTER_ONLY)).toMatchObject({ __typename: 'NameTaken', code: 'NAME_TAKEN' });
    expect((await register(b.admin, { name, kind: 'DOCKER', endpoint }, REGISTER_ONLY)).__typename).toBe('RegisterClusterSuccess');
    expect(await register(a.admin, { name: 'bad name', kind: 'DOCKER', endpoint }, REGISTER_ONLY)).toMatchObject({ __typename: 'ValidationError' });
    const listA = await t.gql(a.viewer, `{ clusters { name } }`);
    const listB = await t.gql(b.viewer, `{ clusters { name } }`);
    expect(listA.data!.clusters.filter((c: { name: string }) => c.name === name)).toHaveLength(1);
    expect(listB.data!.clusters.map((c: { name: string }) => c.name)).toEqual([name]);
  });

  it('puts stacks on a cluster by name; refuses to delete a cluster in use (ClusterInUse), deletes an unused one', async () => {
    const endpoint = `tcp://127.0.0.1:${fakeEnginePort}`;
    const cluster = (await register(a.admin, { kind: 'DOCKER', endpoint }, REGISTER_ONLY)).cluster;
    const template = await t.gql(a.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ... on CreateTemplateSuccess { template { id } } } }`, {
      input: { name: uniqueName('rand'), version: '1', body: 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates:\n  one:\n    type: CTC.Core.RandomString\n' },
    });
    const stackName = uniqueName('on-cluster');
    const created = await t.gql(a.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { cluster { id name kind } } } } }`, {
      input: { name: stackName, templateId: template.data!.createTemplate.template.id, clusterName: cluster.name, deploy: false },
    });
    expect(created.data!.createStack.stack.cluster).toEqual({ id: cluster.id, name: cluster.name, kind: 'DOCKER' });
    const refusedDelete = await t.gql(a.admin, DELETE, { id: cluster.id });
    expect(refusedDelete.data!.deleteCluster).toMatchObject({ __typename: 'ClusterInUse', code: 'CLUSTER_IN_USE', stacks: [stackName] });
    const unused = (await register(a.admin, { kind: 'DOCKER', endpoint }, REGISTER_ONLY)).cluster;
    expect((await t.gql(b.admin, DELETE, { id: unused.id })).data!.deleteCluster.__typename).toBe('NotFound');
    expect((await t.gql(a.admin, DELETE, { id: unused.id })).data!.deleteCluster).toEqual({ __typename: 'DeleteClusterSuccess', clusterId: unused.id });
    expect((await t.gql(a.admin, DELETE, { id: unused.id })).data!.deleteCluster.__typename).toBe('NotFound');
  });

  it('audits registrations and deletions with the credentials masked', async () => {
    const tenant = await tenantWithAdmin('cl-audit');
    const registered = await register(tenant.admin, { kind: 'KUBERNETES', kubeconfig: kubeconfig(kubeApiUrl) }, REGISTER_ONLY);
    await register(tenant.admin, { kind: 'POSTGRESQL', connectionUrl: process.env.DATABASE_URL }, REGISTER_ONLY);
    await register(tenant.admin, { kind: 'DOCKER' }, REGISTER_ONLY);
    await t.gql(tenant.admin, DELETE, { id: registered.cluster.id });
    const res = await t.gql(tenant.viewer, `{ auditRecords(first: 20, filter: { resourceType: "cluster" }) { edges { node { traceName code resourceId request } } } }`);
    const records = res.data!.auditRecords.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(records.map((r: { traceName: string; code: number }) => `${r.traceName}:${r.code}`)).toEqual(['DeleteCluster:200', 'RegisterCluster:400', 'RegisterCluster:400', 'RegisterCluster:200']);
    expect(records[3].resourceId).toBe(registered.cluster.id);
    expect(records[3].request).toMatchObject({ kind: 'KUBERNETES', kubeconfig: '******' });
    expect(records[2].request).toMatchObject({ kind: 'POSTGRESQL', connectionUrl: '******' });
    expect(JSON.stringify(records)).not.toContain(K8S_TOKEN);
  });
});
