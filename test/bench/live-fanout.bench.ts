// Live updates at scale (issue 9): N `stackEvents` subscribers over real graphql-ws sockets watch a
// 20-element CTC.Core.RandomString install (about 42 events) of one stack, and 1 000 subscribers
// spread over 100 stacks (10 each) watch all 100 installed at once. Measured per scenario: events
// per stack, deliveries per subscriber (mean, min, % of subscribers that got every event),
// duplicates, out-of-order deliveries, delay = receipt time − the event's `time` (p50/p95/max over
// all deliveries), the API's CPU (seconds and % of one core over the active window: from the
// install mutation to the later of NORMAL and the last delivery), the API's peak RSS (sampled every
// 100 ms), the worker's and the clients' CPU, and the install's wall time.
// The API runs in this process (one process, as in production); the worker runs in a process of
// its own and the subscribers in client processes of 500 sockets each (test/bench/live-client.ts),
// so neither is counted as API CPU. They all share the machine's 2 cores: figures are noisy.
// The bench uses only the public API (no server internals), so it runs unchanged against any
// version of the fan-out. A subscription is not acknowledged in graphql-ws: after the clients have
// sent their subscribe messages the bench waits 1 s + 1 s per 1 000 sockets before the install.
// A scenario that has not got everything 120 s after its install reports what arrived and the
// bench goes on.
// Targets (2 cores, one API process): 1 000 subscribers to one stack receive 100% of the events
// with p95 ≤ 200 ms; 5 000 with p95 ≤ 1 s.
// Run: npm run bench -- test/bench/live-fanout.bench.ts
// Choose scenarios with AOS_BENCH_LIVE_N, e.g. AOS_BENCH_LIVE_N=1,100,1000/100 (subscribers, or
// subscribers/stacks); the default is 1,100,1000,1000/100,5000 (the heaviest last).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, bench, describe } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { startWorkerChild } from '../helpers/worker-child.js';
import type { ClientCommand, ClientMessage, SubscriberReport } from './live-client.js';

const ELEMENTS = 20;
const SOCKETS_PER_CLIENT = 500;
/** Handshakes in flight per client process. */
const HANDSHAKE_CONCURRENCY = 25;
/** From the install mutation: past this the scenario reports what it got. */
const DELIVERY_DEADLINE_MS = 120_000;
const POLL_MS = 250;
const SAMPLE_MS = 100;
const CLIENT_PATH = fileURLToPath(new URL('./live-client.ts', import.meta.url));

interface Scenario {
  label: string;
  subscribers: number;
  stacks: number;
}

function scenariosOf(spec: string): Scenario[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [subscribers, stacks = 1] = part.split('/').map((n) => Number(n));
      if (!Number.isInteger(subscribers) || subscribers < 1 || !Number.isInteger(stacks) || stacks < 1) throw new Error(`AOS_BENCH_LIVE_N: "${part}" is not N or N/stacks`);
      return { label: stacks === 1 ? `${subscribers} → 1 stack` : `${subscribers} → ${stacks} stacks`, subscribers, stacks };
    });
}

const scenarios = scenariosOf(process.env.AOS_BENCH_LIVE_N ?? '1,100,1000,1000/100,5000');

const TEMPLATE = JSON.stringify({
  tosca_definitions_version: 'ctc_tosca_version_1_0',
  node_templates: Object.fromEntries(Array.from({ length: ELEMENTS }, (_, i) => [`r${i}`, { type: 'CTC.Core.RandomString', properties: { length: 16 } }])),
});

const taskQueue = `aos-bench-live-${randomBytes(4).toString('hex')}`;
const children: ChildProcess[] = [];
const t: TestApp = await startTestApp({ taskQueue, maxSocketsPerToken: 10_000 });
const worker = await startWorkerChild(taskQueue, children);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // Work still queued for closed subscriptions would fail loudly against a closed pool.
  await untilQuiet([]);
  await t.close();
});

// ---------------------------------------------------------------------------------------------
// Measuring

/** CPU seconds of another process from /proc (Linux); null elsewhere. */
function procCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

interface Sample {
  at: number;
  apiCpuMs: number;
  workerCpuMs: number | null;
  rssMb: number;
}

/** API CPU, worker CPU and API RSS every 100 ms until stopped. */
function sampler(): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const take = (): void => {
    const cpu = process.cpuUsage();
    samples.push({ at: Date.now(), apiCpuMs: (cpu.user + cpu.system) / 1000, workerCpuMs: procCpuMs(worker.pid), rssMb: process.memoryUsage().rss / 1024 / 1024 });
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}

/** The first sample at or after `at` (the last one if none). */
function sampleAt(samples: Sample[], at: number): Sample {
  return samples.find((s) => s.at >= at) ?? samples[samples.length - 1];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ---------------------------------------------------------------------------------------------
// Client processes

interface Client {
  child: ChildProcess;
  stderr: () => string;
}

function startClient(): Promise<Client> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT_PATH], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const client = { child, stderr: () => stderr };
  // The child has its IPC handler once tsx has loaded it: ask for progress until it answers.
  return ask(client, { kind: 'progress' }, 'progress', 30_000, 500).then(() => client);
}

/**
 * Sends `command` and resolves with the first answer of kind `kind`. With `resendMs` the command
 * is sent again until answered (messages to a child that has no handler yet are lost).
 */
function ask<K extends ClientMessage['kind']>(client: Client, command: ClientCommand, kind: K, timeoutMs: number, resendMs?: number): Promise<Extract<ClientMessage, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ClientMessage): void => {
      if (message.kind !== kind) return;
      done();
      resolve(message as Extract<ClientMessage, { kind: K }>);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`client ${client.child.pid} exited (${code}) while waiting for ${kind}: ${client.stderr()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`client ${client.child.pid}: no ${kind} in ${timeoutMs} ms: ${client.stderr()}`));
    }, timeoutMs);
    const resend = resendMs ? setInterval(() => client.child.connected && client.child.send(command), resendMs) : null;
    const done = (): void => {
      clearTimeout(timer);
      if (resend) clearInterval(resend);
      client.child.off('message', onMessage);
      client.child.off('exit', onExit);
    };
    client.child.on('message', onMessage);
    client.child.once('exit', onExit);
    client.child.send(command);
  });
}

/** Asks the client to close its sockets and exit; SIGKILL by PID after 5 s. */
async function stopClient(client: Client): Promise<void> {
  const { child } = client;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ kind: 'exit' } satisfies ClientCommand);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// The API, through its public GraphQL surface

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Requests of the bench's own that the API refused for overload and that were retried (all scenarios). */
let retries = 0;

/**
 * One GraphQL request over HTTP. An API saturated by the fan-out may answer SERVICE_UNAVAILABLE
 * (its token lookup timed out) or drop the request: retried with backoff for up to 60 s, so that
 * the bench's own polling does not end a scenario the subscribers are still measuring.
 */
async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const res = await t.gql(token, query, variables);
      if (!res.errors) return res.data;
      failure = JSON.stringify(res.errors);
      if (!res.errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) throw new Error(failure);
    } catch (error) {
      failure = (error as Error).message;
      if (!/SERVICE_UNAVAILABLE|fetch failed|ECONNRESET|socket/i.test(failure)) throw error;
    }
    retries += 1;
    if (Date.now() > deadline) throw new Error(`still failing after ${attempt} attempts: ${failure}`);
    await sleep(Math.min(2_000, 100 * 2 ** attempt));
  }
}

async function createTemplate(tenant: TestTenant): Promise<string> {
  const data = await gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on Error { message } ... on CreateTemplateSuccess { template { id } } } }`, {
    input: { name: uniqueName('live'), version: '1', body: TEMPLATE },
  });
  const id = data.createTemplate.template?.id as string | undefined;
  if (!id) throw new Error(`createTemplate: ${JSON.stringify(data)}`);
  return id;
}

async function createStack(tenant: TestTenant, templateId: string): Promise<string> {
  const data = await gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on Error { message } ... on CreateStackSuccess { stack { id } } } }`, {
    input: { name: uniqueName('live'), templateId, deploy: false, timeoutMinutes: 60 },
  });
  const id = data.createStack.stack?.id as string | undefined;
  if (!id) throw new Error(`createStack: ${JSON.stringify(data)}`);
  return id;
}

async function install(tenant: TestTenant, stackId: string): Promise<void> {
  // The request token makes a retried mutation (see gql) one install, not a second action.
  const data = await gql(tenant.operator, `mutation($input: ExecuteStackActionInput!) { executeStackAction(input: $input) { __typename ... on Error { message } } }`, {
    input: { stackId, action: 'INSTALL', clientRequestToken: `bench-install-${stackId}` },
  });
  if (data.executeStackAction.__typename !== 'ExecuteStackActionSuccess') throw new Error(`install: ${JSON.stringify(data)}`);
}

interface TrueEvent {
  id: string;
  time: number;
}

/** The stack's events, oldest first. */
async function eventsOf(tenant: TestTenant, stackId: string): Promise<TrueEvent[]> {
  const data = await gql(tenant.viewer, `query($id: ID) { stack(id: $id) { events(first: 100) { edges { node { id time } } } } }`, { id: stackId });
  const edges = (data.stack?.events.edges ?? []) as { node: { id: string; time: string } }[];
  return edges.map(({ node }) => ({ id: node.id, time: Date.parse(node.time) })).reverse();
}

/** Status by stack id (the tenant holds only this scenario's stacks; at most 100). */
async function statuses(tenant: TestTenant): Promise<Map<string, string>> {
  const data = await gql(tenant.viewer, `{ stacks(first: 100) { edges { node { id status } } } }`);
  return new Map((data.stacks.edges as { node: { id: string; status: string } }[]).map(({ node }) => [node.id, node.status]));
}

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

// ---------------------------------------------------------------------------------------------
// One scenario

interface Row {
  label: string;
  subscribers: number;
  stacks: number;
  connected: number;
  eventsPerStack: number;
  meanDelivered: number;
  minDelivered: number;
  completePct: number;
  duplicates: number;
  outOfOrder: number;
  foreign: number;
  p50: number;
  p95: number;
  max: number;
  apiCpuS: number;
  apiCpuPct: number;
  activeS: number;
  rssStartMb: number;
  rssPeakMb: number;
  workerCpuS: number | null;
  clientCpuS: number;
  clientProcesses: number;
  installS: number | null;
  notes: string[];
}

/**
 * Until this process has used under 10% of a core for a second (at most 30 s): what an earlier
 * scenario left queued must not be counted in the next one.
 */
async function untilQuiet(notes: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const before = process.cpuUsage();
    await sleep(1_000);
    const used = process.cpuUsage(before);
    const share = (used.user + used.system) / 1000 / 1_000;
    if (share < 0.1) return;
    if (Date.now() > deadline) {
      notes.push(`the API was still busy (${(100 * share).toFixed(0)}% of a core) when the scenario started`);
      return;
    }
  }
}

async function runScenario(scenario: Scenario): Promise<Row> {
  const notes: string[] = [];
  await untilQuiet(notes);
  const tenant = await createTenantWithUsers(t, 'live');
  const templateId = await createTemplate(tenant);
  const stackIds = await inBatches(Array.from({ length: scenario.stacks }), 10, () => createStack(tenant, templateId));
  // Events written before the subscriptions (STACK_CREATED) are not expected live.
  const before = new Set((await inBatches(stackIds, 10, (id) => eventsOf(tenant, id))).flat().map((e) => e.id));

  const clients = await Promise.all(Array.from({ length: Math.ceil(scenario.subscribers / SOCKETS_PER_CLIENT) }, startClient));
  const sampling = sampler();
  const rssStartMb = sampling.samples[0].rssMb;
  try {
    // Subscriber i watches stack i mod stacks; client c holds subscribers [500c, 500c + 500).
    const assignment = Array.from({ length: scenario.subscribers }, (_, i) => stackIds[i % stackIds.length]);
    const wsUrl = t.url.replace(/^http/, 'ws');
    const connectTimeoutMs = 60_000 + 20 * scenario.subscribers;
    const subscribed = await Promise.all(
      clients.map((client, c) =>
        ask(client, { kind: 'open', wsUrl, token: tenant.viewer, stackIds: assignment.slice(c * SOCKETS_PER_CLIENT, (c + 1) * SOCKETS_PER_CLIENT), concurrency: HANDSHAKE_CONCURRENCY, timeoutMs: 30_000 }, 'subscribed', connectTimeoutMs),
      ),
    );
    const connected = subscribed.reduce((sum, s) => sum + s.opened, 0);
    const failed = subscribed.find((s) => s.firstProblem)?.firstProblem;
    if (connected < scenario.subscribers) notes.push(`${scenario.subscribers - connected} sockets failed to subscribe (${failed})`);
    await sleep(1_000 + scenario.subscribers);

    await Promise.all(clients.map((client) => ask(client, { kind: 'mark' }, 'marked', 10_000)));
    const installStart = Date.now();
    await inBatches(stackIds, 20, (id) => install(tenant, id));
    const deadline = installStart + DELIVERY_DEADLINE_MS;

    // Until every stack has left INITIAL/PROCESSING (or the deadline).
    let installEnd: number | null = null;
    while (Date.now() < deadline) {
      const now = await statuses(tenant);
      if (stackIds.every((id) => !['INITIAL', 'PROCESSING'].includes(now.get(id) ?? ''))) {
        installEnd = Date.now();
        const notNormal = stackIds.filter((id) => now.get(id) !== 'NORMAL');
        if (notNormal.length) notes.push(`${notNormal.length} stacks ended ${now.get(notNormal[0])}`);
        break;
      }
      await sleep(POLL_MS);
    }
    if (installEnd === null) notes.push(`install not finished in ${DELIVERY_DEADLINE_MS / 1000} s`);

    // Then until every subscriber has every event, or nothing arrived for the grace period, or the deadline.
    const truthBefore = await inBatches(stackIds, 10, (id) => eventsOf(tenant, id));
    const expectedTotal = assignment.reduce((sum, stackId) => sum + truthBefore[stackIds.indexOf(stackId)].filter((e) => !before.has(e.id)).length, 0);
    const graceMs = 3_000 + scenario.subscribers;
    let lastTotal = -1;
    let lastChange = Date.now();
    while (Date.now() < deadline) {
      const total = (await Promise.all(clients.map((client) => ask(client, { kind: 'progress' }, 'progress', 10_000)))).reduce((sum, p) => sum + p.deliveries, 0);
      if (total >= expectedTotal) break;
      if (total !== lastTotal) {
        lastTotal = total;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > graceMs) {
        break;
      }
      await sleep(500);
    }
    if (Date.now() >= deadline) notes.push(`cut at ${DELIVERY_DEADLINE_MS / 1000} s`);
    sampling.stop();

    const reports = await Promise.all(clients.map((client) => ask(client, { kind: 'report' }, 'report', 60_000)));
    const truth = new Map<string, TrueEvent[]>();
    for (const id of stackIds) truth.set(id, (await eventsOf(tenant, id)).filter((e) => !before.has(e.id)));
    const subscribers: SubscriberReport[] = reports.flatMap((r) => r.subscribers);

    const delays: number[] = [];
    const delivered: number[] = [];
    let duplicates = 0;
    let outOfOrder = 0;
    let foreign = 0;
    let lastDelivery = installStart;
    let withProblems = 0;
    let firstProblem: string | null = null;
    for (const subscriber of subscribers) {
      const events = truth.get(subscriber.stackId) ?? [];
      const indexOf = new Map(events.map((e, i) => [e.id, i]));
      const seen = new Set<string>();
      let previous = -1;
      subscriber.ids.forEach((id, k) => {
        const index = indexOf.get(id);
        if (index === undefined) {
          foreign += 1;
          return;
        }
        if (seen.has(id)) {
          duplicates += 1;
          return;
        }
        seen.add(id);
        if (index < previous) outOfOrder += 1;
        previous = Math.max(previous, index);
        delays.push(subscriber.receivedAt[k] - events[index].time);
        lastDelivery = Math.max(lastDelivery, subscriber.receivedAt[k]);
      });
      delivered.push(seen.size);
      if (subscriber.problems.length) {
        withProblems += 1;
        firstProblem ??= subscriber.problems[0];
      }
    }
    if (withProblems) notes.push(`${withProblems} subscribers saw problems, e.g. ${firstProblem}`);
    delays.sort((a, b) => a - b);

    const eventCounts = stackIds.map((id) => truth.get(id)!.length);
    const eventsPerStack = eventCounts.reduce((a, b) => a + b, 0) / stackIds.length;
    const complete = subscribers.filter((s, i) => delivered[i] === truth.get(s.stackId)!.length && truth.get(s.stackId)!.length > 0).length;
    // The install's wall time from its own events (the status polls may queue behind the fan-out).
    const lastEventTime = Math.max(installStart, ...[...truth.values()].flat().map((e) => e.time));
    const activeEnd = Math.max(lastDelivery, lastEventTime);
    const startSample = sampleAt(sampling.samples, installStart);
    const endSample = sampleAt(sampling.samples, activeEnd);
    const activeS = Math.max(0.001, (endSample.at - startSample.at) / 1000);
    const apiCpuS = (endSample.apiCpuMs - startSample.apiCpuMs) / 1000;
    const workerCpuS = endSample.workerCpuMs !== null && startSample.workerCpuMs !== null ? (endSample.workerCpuMs - startSample.workerCpuMs) / 1000 : null;
    return {
      label: scenario.label,
      subscribers: scenario.subscribers,
      stacks: scenario.stacks,
      connected,
      eventsPerStack,
      meanDelivered: delivered.reduce((a, b) => a + b, 0) / Math.max(1, delivered.length),
      minDelivered: delivered.length ? Math.min(...delivered) : 0,
      completePct: (100 * complete) / scenario.subscribers,
      duplicates,
      outOfOrder,
      foreign,
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      max: delays.length ? delays[delays.length - 1] : NaN,
      apiCpuS,
      apiCpuPct: (100 * apiCpuS) / activeS,
      activeS,
      rssStartMb,
      rssPeakMb: Math.max(...sampling.samples.map((s) => s.rssMb)),
      workerCpuS,
      clientCpuS: reports.reduce((sum, r) => sum + r.cpuSinceMarkMs, 0) / 1000,
      clientProcesses: clients.length,
      installS: installEnd === null ? null : (lastEventTime - installStart) / 1000,
      notes,
    };
  } finally {
    sampling.stop();
    await Promise.all(clients.map(stopClient));
  }
}

// ---------------------------------------------------------------------------------------------

const rows: Row[] = [];
const failures: string[] = [];

describe('live fan-out of stackEvents', () => {
  for (const scenario of scenarios) {
    bench(
      scenario.label,
      async () => {
        try {
          rows.push(await runScenario(scenario));
        } catch (error) {
          failures.push(`${scenario.label}: ${(error as Error).message}`);
        }
      },
      { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
    );
  }
});

afterAll(() => {
  const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const cells = (values: string[], widths: number[]): string => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const deliveryWidths = [18, 9, 7, 10, 8, 7, 9, 5, 5, 8, 8, 8];
  console.log('\nlive fan-out of stackEvents: deliveries (delay = receipt − event time)');
  console.log(cells(['scenario', 'connected', 'ev/stk', 'mean/sub', 'min/sub', 'all %', 'dup', 'ooo', 'other', 'p50 ms', 'p95 ms', 'max ms'], deliveryWidths));
  for (const r of rows) {
    console.log(
      cells(
        [r.label, String(r.connected), r.eventsPerStack.toFixed(1), r.meanDelivered.toFixed(1), String(r.minDelivered), r.completePct.toFixed(1), String(r.duplicates), String(r.outOfOrder), String(r.foreign), ms(r.p50), ms(r.p95), ms(r.max)],
        deliveryWidths,
      ),
    );
  }
  const resourceWidths = [18, 9, 10, 9, 9, 9, 10, 9, 10, 9];
  console.log('\nresources over the active window (install mutation → later of NORMAL and last delivery)');
  console.log(cells(['scenario', 'active s', 'install s', 'API cpu s', 'API cpu%', 'RSS0 MB', 'RSSmax MB', 'worker s', 'clients s', 'clients'], resourceWidths));
  for (const r of rows) {
    console.log(
      cells(
        [
          r.label,
          r.activeS.toFixed(1),
          r.installS === null ? '-' : r.installS.toFixed(1),
          r.apiCpuS.toFixed(2),
          r.apiCpuPct.toFixed(0),
          r.rssStartMb.toFixed(0),
          r.rssPeakMb.toFixed(0),
          r.workerCpuS === null ? '-' : r.workerCpuS.toFixed(2),
          r.clientCpuS.toFixed(2),
          String(r.clientProcesses),
        ],
        resourceWidths,
      ),
    );
  }
  for (const r of rows) for (const note of r.notes) console.log(`note ${r.label}: ${note}`);
  for (const failure of failures) console.log(`FAILED ${failure}`);
  if (retries) console.log(`the API refused ${retries} of the bench's own requests for overload (retried)`);
  console.log('targets: 1000 → 1 stack: all % = 100 and p95 ≤ 200 ms; 5000 → 1 stack: p95 ≤ 1000 ms (2 shared cores: noisy)');
});
