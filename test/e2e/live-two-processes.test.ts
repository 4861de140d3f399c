// Two API processes (the second a real `src/server.ts` child process with its own LISTEN
// connection and pool), watchers on both: an install started through one reaches the watchers of
// both, every event once and in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const PER_PROCESS = 50;

let l: Lifecycle;
let other: ChildProcess | null = null;
let otherUrl: string;
const clients: Client[] = [];

async function startOtherApi(taskQueue: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, AOS_TASK_QUEUE: taskQueue, AOS_PORT: '0', AOS_HOST: '127.0.0.1', AOS_MAX_SOCKETS_PER_TOKEN: '1000' };
  delete env.AOS_LOCAL_DOCKER_HOST;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/server.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  other = child;
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the second API did not start in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`the second API exited with ${code}:\n${output}`)));
  });
  return url;
}

beforeAll(async () => {
  l = await startLifecycle('live-two', { appConfig: { maxSocketsPerToken: 1000 } });
  otherUrl = await startOtherApi(l.taskQueue);
});

afterAll(async () => {
  await Promise.all(clients.map(async (client) => client.dispose()));
  if (other && other.exitCode === null) {
    other.kill('SIGTERM');
    await Promise.race([once(other, 'exit'), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (other.exitCode === null) other.kill('SIGKILL');
  }
  await l?.close();
});

function watcher(apiUrl: string, stackId: string): { received: string[]; errors: unknown[]; started: Promise<void> } {
  let acknowledged = () => {};
  const started = new Promise<void>((resolve) => (acknowledged = resolve));
  const client = createClient({ url: apiUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${l.tenant.viewer}` }, retryAttempts: 0, lazy: false, on: { connected: () => acknowledged() } });
  clients.push(client);
  const state = { received: [] as string[], errors: [] as unknown[], started };
  client.subscribe<{ stackEvents: { id: string } }>(
    { query: 'subscription($id: ID!) { stackEvents(stackId: $id) { id } }', variables: { id: stackId } },
    { next: (message) => (message.data ? state.received.push(message.data.stackEvents.id) : state.errors.push(message.errors)), error: (error) => state.errors.push(error), complete: () => undefined },
  );
  return state;
}

describe('live updates across API processes', () => {
  it(`an install started through one process reaches ${PER_PROCESS} watchers on each of two, every event once, in order`, async () => {
    const templateId = await l.createTemplate(faultTemplate(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`r${i}`, { type: 'CTC.Core.RandomString', properties: { length: 8 } }]))));
    const stackId = (await l.createStack({ templateId, deploy: false })).stack.id as string;
    const before = await l.events(stackId);
    const servedHere = l.t.app.cohorts.subscriberCount();
    const here = Array.from({ length: PER_PROCESS }, () => watcher(l.t.url, stackId));
    const there = Array.from({ length: PER_PROCESS }, () => watcher(otherUrl, stackId));
    await Promise.all([...here, ...there].map((w) => w.started));
    // Both processes serve every subscription before the install starts (the other one says so in its /metrics).
    const servedBy = Date.now() + 15_000;
    for (;;) {
      const metrics = await (await fetch(otherUrl.replace(/\/graphql$/, '/metrics'))).text();
      const servedThere = Number(/^aos_subscriptions\{operation="stackEvents"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
      if (servedThere === PER_PROCESS && l.t.app.cohorts.subscriberCount() === servedHere + PER_PROCESS) break;
      if (Date.now() > servedBy) throw new Error(`subscriptions not served: ${servedThere} there, ${l.t.app.cohorts.subscriberCount() - servedHere} here`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect((await l.execute(stackId, 'INSTALL')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stackId)).status).toBe('NORMAL');
    const res = await l.t.gql(l.tenant.viewer, 'query($id: ID) { stack(id: $id) { events(first: 100) { edges { node { id } } } } }', { id: stackId });
    const all = (res.data!.stack.events.edges as { node: { id: string } }[]).map((edge) => edge.node.id).reverse();
    const expected = all.slice(before.length);
    expect(expected.length).toBeGreaterThanOrEqual(22);
    const deadline = Date.now() + 20_000;
    while ([...here, ...there].some((w) => w.received.length < expected.length) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const w of [...here, ...there]) {
      expect(w.errors).toEqual([]);
      expect(w.received).toEqual(expected);
    }
  });
});
