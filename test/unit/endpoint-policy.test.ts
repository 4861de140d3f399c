// The cluster endpoint policy and the bounded connections to registered clusters, against local
// servers only (nothing here leaves the machine).
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerProvider, DEFAULT_DOCKER_SETTINGS, dockerClient, MAX_ENGINE_ANSWER_BYTES } from '../../src/drivers/docker/index.js';
import {
  checkHostEndpoint,
  checkPublishAddress,
  checkUnixSocket,
  EndpointRefused,
  normalizeAddress,
  parseEndpointPolicy,
  parseHost,
  platformServices,
  type EndpointPolicy,
} from '../../src/drivers/endpoint-policy.js';
import { inspect } from 'node:util';
import { boundedGet, GuardedAgent } from '../../src/drivers/guarded-connections.js';
import { parsePostgresUrl, postgresHealth } from '../../src/drivers/postgresql/connection.js';
import type { ClusterTarget } from '../../src/drivers/types.js';

const docker = createDockerProvider(DEFAULT_DOCKER_SETTINGS);

// A throw-away self-signed certificate (EC P-256, CN aos-test), for a TLS peer on loopback only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGjlmmVSU7gv/AOT1
6qsrC3wf8rX+Qpz8+OFV/fLbIouhRANCAAT6BT+rPxL/ug226j6DiOZVG9M7TC6x
qwrGNOrTm8H9YMY580FAetExalwi0LmVeWxILo9B4hHQwI79c+kBdgQL
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBfjCCASOgAwIBAgIUQNlR6/7rPmU0bgJECIeXW+O3cjswCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIYW9zLXRlc3QwIBcNMjYxMjAyMTIwNzExWhgPMjEyNjExMDgx
MjA3MTFaMBMxETAPBgNVBAMMCGFvcy10ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE+gU/qz8S/7oNtuo+g4jmVRvTO0wusasKxjTq05vB/WDGOfNBQHrRMWpc
ItC5lXlsSC6PQeIR0MCO/XPpAXYEC6NTMFEwHQYDVR0OBBYEFMsOcgcvLrGhJjDE
ee9etPm41yWJMB8GA1UdIwQYMBaAFMsOcgcvLrGhJjDEee9etPm41yWJMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhALUHIIPM0Sc2L0unrU+6gNJk
Ltor/1GZvzzUDiPLSvaBAiEA/q226+u4vlRVP6kPcmk0klT0SqaGxbP+UfP47cqq
bQM=
-----END CERTIFICATE-----`;

const platform = platformServices({
  databaseUrl: 'postgres://aos:aos@db.internal.example:5432/aos',
  temporalAddress: '10.9.9.9:7233',
  apiHost: '0.0.0.0',
  apiPort: 4000,
  env: { AOS_LOCAL_DOCKER_HOST: 'unix:///srv/aos/docker.sock', DOCKER_HOST: 'tcp://10.9.9.10:2375' },
});
const defaults = parseEndpointPolicy(undefined, platform);

async function verdict(policy: EndpointPolicy, host: string, port = 2375): Promise<string> {
  const result = await checkHostEndpoint(policy, host, port);
  return result.ok ? 'ok' : result.reason;
}

let silent: TcpServer;
let silentPort: number;
let endless: TcpServer;
let endlessPort: number;
/** Answers 200 and then one byte every 20 ms, for ever: never too much, never done. */
let dripping: TcpServer;
let drippingPort: number;
let engine: HttpServer;
let enginePort: number;
let engineRequests = 0;
const sockets = new Set<Socket>();

function listen(server: TcpServer | HttpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.resume();
  });
  silentPort = await listen(silent);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  endless = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      const pump = (): void => {
        while (!socket.destroyed) {
          if (!socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
  endlessPort = await listen(endless);
  dripping = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
      const timer = setInterval(() => socket.write('1\r\nx\r\n'), 20);
      socket.on('close', () => clearInterval(timer));
    });
  });
  drippingPort = await listen(dripping);
  engine = createHttpServer((_req, res) => {
    engineRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"Version":"1.0","ApiVersion":"1.45"}');
  });
  enginePort = await listen(engine);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  for (const server of [silent, endless, dripping, engine]) await new Promise((resolve) => server.close(resolve));
});

describe('addresses', () => {
  it('reads every spelling of an address the resolver would accept as the same address', () => {
    for (const spelling of ['127.0.0.1', '2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '[::FFFF:7F00:0001]']) {
      expect(parseHost(spelling), spelling).toEqual({ kind: 'ip', address: '127.0.0.1' });
    }
    expect(parseHost('Engine.Example.COM.')).toEqual({ kind: 'name', name: 'engine.example.com' });
    expect(parseHost('a b')).toBeNull();
    expect(parseHost('%2Fvar%2Frun')).toBeNull();
    expect(normalizeAddress('FE80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('localhost')).toBeNull();
  });
});

describe('the default policy', () => {
  it('refuses loopback, link-local, metadata, private, shared, unspecified and multicast addresses; allows public ones', async () => {
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '2130706433', '0.0.0.0', '::', '169.254.169.254', '169.254.1.1', 'fe80::1', '100.100.100.200', 'fd00:ec2::254', '10.0.0.1', '172.31.255.255', '192.168.0.1', 'fc00::1', 'fd12::1', '100.64.0.1', '224.0.0.1', 'ff02::1', '::127.0.0.1']) {
      expect(await verdict(defaults, host), host).toMatch(/does not let tenants use/);
    }
    expect(await verdict(defaults, 'localhost')).toMatch(/platform's own machine/);
    expect(await verdict(defaults, 'db.localhost')).toMatch(/platform's own machine/);
    for (const host of ['8.8.8.8', '2001:4860:4860::8888', '172.32.0.1', '100.128.0.1']) expect(await verdict(defaults, host), host).toBe('ok');
  });

  it("refuses the platform's own services and sockets, even where an allow entry covers them", async () => {
    const open = parseEndpointPolicy('{"allow": ["10.0.0.0/8"], "unixSockets": ["/srv/aos/docker.sock", "/var/run/docker.sock", "/run/tenant.sock"]}', platform);
    expect(await verdict(open, '10.9.9.9', 7233)).toMatch(/service of the platform itself/);
    expect(await verdict(open, '10.9.9.10', 2375)).toMatch(/service of the platform itself/);
    expect(await verdict(open, '10.9.9.10', 2376)).toBe('ok');
    // The API listens on every address: its port on a local address is the platform's.
    expect(await verdict(parseEndpointPolicy('{"allow": ["127.0.0.0/8"]}', platform), '127.0.0.1', 4000)).toMatch(/service of the platform itself/);
    expect(checkUnixSocket(open, '/srv/aos/docker.sock')).toMatchObject({ ok: false });
    expect(checkUnixSocket(open, '/var/run/docker.sock')).toMatchObject({ ok: false });
    expect(checkUnixSocket(open, '/run/tenant.sock')).toMatchObject({ ok: true });
    expect(checkUnixSocket(defaults, '/run/tenant.sock')).toMatchObject({ ok: false });
    // Metadata and unspecified addresses stay closed whatever is allowed.
    const everything = parseEndpointPolicy('{"allow": ["0.0.0.0/0", "[::/0]"]}', platform);
    for (const host of ['169.254.169.254', '0.0.0.0', 'fd00:ec2::254']) expect(await verdict(everything, host), host).toMatch(/does not let tenants use/);
    expect(await verdict(everything, '10.1.1.1')).toBe('ok');
  });

  it('bounds publish addresses the same way', async () => {
    expect(await checkPublishAddress(defaults, '0.0.0.0')).toMatchObject({ ok: false });
    expect(await checkPublishAddress(defaults, '::')).toMatchObject({ ok: false });
    expect(await checkPublishAddress(defaults, '198.51.100.7')).toMatchObject({ ok: false });
    expect(await checkPublishAddress(defaults, '203.0.114.7')).toMatchObject({ ok: true });
  });
});

describe('AOS_CLUSTER_ENDPOINT_POLICY', () => {
  it('allows listed ranges, addresses and names (with ports), denies listed ones first, and can close public addresses', async () => {
    const policy = parseEndpointPolicy(
      JSON.stringify({ allow: ['10.20.0.0/16', '192.168.5.7:2375-2376', '[fd00:1::/64]:2376', 'localhost:2375', '*.example.com'], deny: ['10.20.30.0/24', '8.8.4.4'], publicAddresses: false }),
      platform,
    );
    expect(await verdict(policy, '10.20.1.1', 9999)).toBe('ok');
    expect(await verdict(policy, '10.20.30.1')).toMatch(/denied|does not let/);
    expect(await verdict(policy, '192.168.5.7', 2376)).toBe('ok');
    expect(await verdict(policy, '192.168.5.7', 2377)).toMatch(/private/);
    expect(await verdict(policy, 'fd00:1::5', 2376)).toBe('ok');
    expect(await verdict(policy, 'fd00:1::5', 2375)).toMatch(/private/);
    expect(await verdict(policy, '8.8.8.8')).toMatch(/allow list/);
    expect(await verdict(policy, '8.8.4.4')).toMatch(/does not let/);
    // localhost stays the platform's own machine, whatever is listed.
    expect(await verdict(policy, 'localhost')).toMatch(/platform's own machine/);
    expect(policy.allow.map((rule) => rule.kind)).toEqual(['address', 'address', 'address', 'host', 'host']);
  });

  it('refuses a policy it cannot apply, naming the entry', () => {
    const bad: [string, RegExp][] = [
      ['{"allow": "10.0.0.0/8"}', /"allow" must be a list/],
      ['{"allow": ["10.0.0.0/40"]}', /10\.0\.0\.0\/40/],
      ['{"allow": ["1.2.3.4:0"]}', /not a port/],
      ['{"allow": ["1.2.3.4:2376-2375"]}', /not a port/],
      ['{"allow": ["not a host"]}', /not an address/],
      ['{"allow": [42]}', /non-empty string/],
      ['{"unixSockets": ["relative.sock"]}', /absolute/],
      ['{"publicAddresses": "no"}', /true or false/],
      ['{"allowed": []}', /unknown key "allowed"/],
      ['[1]', /not an address/],
      ['{oops', /not valid JSON/],
    ];
    for (const [text, fault] of bad) expect(() => parseEndpointPolicy(text, platform), text).toThrow(fault);
    expect(parseEndpointPolicy(' 10.0.0.0/8 , engines.example.com:2376 ', platform).allow.map((rule) => rule.text)).toEqual(['10.0.0.0/8', 'engines.example.com:2376']);
    expect(() => parseEndpointPolicy(JSON.stringify({ allow: new Array(1001).fill('10.0.0.1') }), platform)).toThrow(/more than 1000/);
  });
});

describe('connections to a tenant endpoint', () => {
  const target = (port: number, endpointPolicy: EndpointPolicy | null, host = '127.0.0.1'): ClusterTarget => ({
    id: 'c',
    name: 'c',
    kind: 'DOCKER',
    endpoint: `tcp://${host}:${port}`,
    publishAddress: '127.0.0.1',
    endpointPolicy,
  });

  it('are checked as they are made: a refused endpoint is never contacted, by the health check or by the driver', async () => {
    const before = engineRequests;
    expect(await docker.health(target(enginePort, defaults), 3000)).toEqual({ healthy: false, version: null, message: 'refused by the endpoint policy' });
    expect(await docker.health(target(enginePort, defaults, 'localhost'), 3000)).toEqual({ healthy: false, version: null, message: 'refused by the endpoint policy' });
    await expect(dockerClient(target(enginePort, defaults)).version()).rejects.toBeInstanceOf(EndpointRefused);
    // A name is resolved when connecting, and what it resolves to is checked then.
    await expect(dockerClient(target(enginePort, defaults, '2130706433')).version()).rejects.toBeInstanceOf(EndpointRefused);
    expect(engineRequests).toBe(before);
    // Trusted (platform-registered), and allowed by the policy: both get through.
    expect(await docker.health(target(enginePort, null), 3000)).toMatchObject({ healthy: true, version: 'Docker 1.0 (API 1.45)' });
    const allowed = parseEndpointPolicy(`127.0.0.1:${enginePort}`, platform);
    expect(await dockerClient(target(enginePort, allowed)).version()).toMatchObject({ ApiVersion: '1.45' });
  });

  it('a bounded GET ends at its deadline against a silent peer, and reads at most its byte budget from an endless one', async () => {
    let started = Date.now();
    expect(await boundedGet({ target: { url: new URL(`http://127.0.0.1:${silentPort}/`) }, timeoutMs: 500, maxBodyBytes: 4096, policy: null })).toEqual({ ok: false, failure: 'timed out' });
    expect(Date.now() - started).toBeLessThan(900);
    started = Date.now();
    const answer = await boundedGet({ target: { url: new URL(`http://127.0.0.1:${endlessPort}/`) }, timeoutMs: 3000, maxBodyBytes: 4096, policy: null });
    expect(answer).toMatchObject({ ok: true, status: 200, complete: false });
    expect(answer.ok && answer.body.length).toBe(4096);
    expect(Date.now() - started).toBeLessThan(1000);
    started = Date.now();
    expect(await docker.health(target(drippingPort, null), 700)).toEqual({ healthy: false, version: null, message: 'timed out (no answer within 700 ms)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(Date.now() - started).toBeLessThan(1100);
  });

  it("dockerode's buffering is bounded: an engine answering without end fails the request instead of filling the memory", async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = Date.now();
    const failure = await dockerClient(target(endlessPort, null)).listContainers().then(() => null, (error: unknown) => error);
    clearInterval(sampler);
    console.log(`endless engine answer: failed after ${Date.now() - started} ms, rss +${Math.round((peak - before) / 1048576)} MB at peak (limit ${MAX_ENGINE_ANSWER_BYTES / 1048576} MiB)`);
    expect(failure).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(peak - before).toBeLessThan(3 * MAX_ENGINE_ANSWER_BYTES);
  });

  it('the agent stays cheap to format: docker-modem inspects it, depth unlimited, on every request', () => {
    expect(inspect({ agent: new GuardedAgent(null, 1) }, { showHidden: true, depth: null })).toBe('{ agent: GuardedAgent }');
  });
});

describe('PostgreSQL health checks (the URL grammar: test/unit/drivers/postgresql/)', () => {
  it('a health check ends at its deadline against a silent server, and quickly against one that floods it', async () => {
    const silentDb = parsePostgresUrl(`postgresql://u:p@127.0.0.1:${silentPort}/db`).connection!;
    let started = Date.now();
    expect(await postgresHealth(silentDb, null, 500)).toEqual({ healthy: false, version: null, message: 'timed out (no answer within 500 ms)' });
    expect(Date.now() - started).toBeLessThan(900);
    const floodDb = parsePostgresUrl(`postgresql://u:p@127.0.0.1:${endlessPort}/db`).connection!;
    started = Date.now();
    expect((await postgresHealth(floodDb, null, 3000)).healthy).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await postgresHealth(silentDb, defaults, 3000)).toMatchObject({ healthy: false, message: 'refused by the endpoint policy' });
  });

  it('a server flooding the check after the TLS handshake is cut at the byte bound too', async () => {
    let sent = 0;
    const flooding = createTcpServer((raw) => {
      sockets.add(raw);
      raw.on('error', () => undefined);
      raw.once('data', () => {
        raw.write('S');
        const tls = new TLSSocket(raw, { isServer: true, key: TEST_KEY, cert: TEST_CERT });
        tls.on('error', () => undefined);
        tls.once('data', () => {
          // A message announcing 1 GiB, then bytes without end: pg would buffer them all.
          const header = Buffer.alloc(5);
          header.write('R');
          header.writeInt32BE(1 << 30, 1);
          tls.write(header);
          const chunk = Buffer.alloc(64 * 1024, 1);
          const pump = (): void => {
            while (!tls.destroyed) {
              sent += chunk.length;
              if (!tls.write(chunk)) {
                tls.once('drain', pump);
                return;
              }
            }
          };
          pump();
        });
      });
    });
    const port = await listen(flooding);
    try {
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const health = await postgresHealth(parsePostgresUrl(`postgresql://u:p@127.0.0.1:${port}/db?sslmode=require`).connection!, null, 3000);
      console.log(`TLS flood: answered in ${Date.now() - started} ms after the peer sent ${Math.round(sent / 1024)} KiB, rss +${Math.round((process.memoryUsage().rss - before) / 1048576)} MB`);
      expect(health).toEqual({ healthy: false, version: null, message: 'not a PostgreSQL server' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1048576);
    } finally {
      await new Promise((resolve) => flooding.close(resolve));
    }
  });
});
