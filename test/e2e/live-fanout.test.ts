// Live updates at scale, over real sockets, on the real API, worker, Temporal server and
// PostgreSQL: 300 watchers of one stack during a 20-element install each get every event once and
// in order; a stalled watcher is closed with the documented code and catches up from its cursor
// without a gap or a duplicate; events of one stack written at once by many transactions reach
// watchers in cursor order; a lost LISTEN connection closes the watchers rather than leaving them
// with a silent gap.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStackEvent } from '../../src/events/stack-events.js';
import { RESUME_CLOSE_CODE } from '../../src/api/subscription-cohorts.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const WATCHERS = 300;
/** Small, so that a stalled reader overflows after a few hundred KiB instead of the 1 MiB default. */
const BUFFER_BYTES = 64 * 1024;

let l: Lifecycle;
let templateId: string;
const clients: Client[] = [];
const sockets: WebSocket[] = [];

interface LiveEvent {
  id: string;
  type: string;
  cursor: string;
}

const EVENT_SUBSCRIPTION = 'subscription($id: ID!) { stackEvents(stackId: $id) { id type cursor } }';
/** With the message: 8 KB events fill a stalled reader's buffers quickly. */
const FULL_EVENT_SUBSCRIPTION = 'subscription($id: ID!) { stackEvents(stackId: $id) { id type cursor message } }';

beforeAll(async () => {
  l = await startLifecycle('live-fanout', { appConfig: { maxSocketsPerToken: 1000, subscriberBufferBytes: BUFFER_BYTES } });
  templateId = await l.createTemplate(faultTemplate(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`r${i}`, { type: 'CTC.Core.RandomString', properties: { length: 8 } }]))));
});

afterAll(async () => {
  await Promise.all(clients.map(async (client) => client.dispose()));
  for (const socket of sockets) socket.terminate();
  await l?.close();
});

function seqOf(cursor: string): number {
  return Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^seq:/, ''));
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every event of the stack after `since` (all when null), oldest first, paging through `events`. */
async function eventsSince(stackId: string, since: string | null): Promise<LiveEvent[]> {
  const newestFirst: LiveEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    type EventsPage = { edges: { node: LiveEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    const res: { data?: { stack: { events: EventsPage } } } = await l.t.gql(l.tenant.viewer, 'query($id: ID, $since: String, $after: String) { stack(id: $id) { events(first: 100, since: $since, after: $after) { edges { node { id type cursor } } pageInfo { hasNextPage endCursor } } } }', { id: stackId, since, after });
    const events: EventsPage = res.data!.stack.events;
    newestFirst.push(...events.edges.map((edge) => edge.node));
    if (!events.pageInfo.hasNextPage) break;
    after = events.pageInfo.endCursor;
  }
  return newestFirst.reverse();
}

async function newStack(): Promise<string> {
  const created = await l.createStack({ templateId, deploy: false });
  return created.stack.id as string;
}

function watcher(stackId: string, query = EVENT_SUBSCRIPTION): { received: LiveEvent[]; errors: unknown[] } {
  const client = createClient({ url: l.t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${l.tenant.viewer}` }, retryAttempts: 0 });
  clients.push(client);
  const state = { received: [] as LiveEvent[], errors: [] as unknown[] };
  client.subscribe<{ stackEvents: LiveEvent }>(
    { query, variables: { id: stackId } },
    {
      next: (message) => {
        if (message.errors) state.errors.push(...message.errors);
        if (message.data) state.received.push(message.data.stackEvents);
      },
      error: (error) => state.errors.push(error),
      complete: () => undefined,
    },
  );
  return state;
}

/** A raw graphql-transport-ws client, so the test can stop reading its socket. */
async function rawWatcher(stackId: string, query = EVENT_SUBSCRIPTION) {
  const socket = new WebSocket(l.t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  sockets.push(socket);
  const received: LiveEvent[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const acknowledged = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString()) as { type: string; payload?: { data?: { stackEvents: LiveEvent } } };
      if (message.type === 'connection_ack') resolve();
      if (message.type === 'next' && message.payload?.data) received.push(message.payload.data.stackEvents);
    });
    socket.on('error', reject);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${l.tenant.viewer}` } }));
  await acknowledged;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { id: stackId } } }));
  return { socket, received, closed };
}

describe('live updates at scale', () => {
  it(`${WATCHERS} watchers of one stack get every event of a 20-element install, in order, exactly once, from one cohort`, async () => {
    const stackId = await newStack();
    const baseline = (await eventsSince(stackId, null)).at(-1)!.cursor;
    const subscribersBefore = l.t.app.cohorts.subscriberCount();
    const cohortsBefore = l.t.app.cohorts.size();
    const watchers = Array.from({ length: WATCHERS }, () => watcher(stackId));
    await until(`${WATCHERS} subscriptions are served`, () => l.t.app.cohorts.subscriberCount() === subscribersBefore + WATCHERS);
    // Identical operations of one tenant and role share one cohort.
    expect(l.t.app.cohorts.size()).toBe(cohortsBefore + 1);

    const counted = async (name: 'liveReloadQueries' | 'liveRowsLoaded') => (await l.t.app.metrics[name].get()).values.find((value) => value.labels.topic === 'stack.event')?.value ?? 0;
    const queriesBefore = await counted('liveReloadQueries');
    const rowsBefore = await counted('liveRowsLoaded');
    expect((await l.execute(stackId, 'INSTALL')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stackId)).status).toBe('NORMAL');
    const truth = await eventsSince(stackId, baseline);
    expect(truth.length).toBeGreaterThanOrEqual(42);
    await until('every watcher has the whole install', () => watchers.every((w) => w.received.length >= truth.length), 20_000);
    // The database saw each event loaded once for all 300 (in batches), through one LISTEN connection.
    expect((await counted('liveRowsLoaded')) - rowsBefore).toBe(truth.length);
    expect((await counted('liveReloadQueries')) - queriesBefore).toBeLessThanOrEqual(truth.length);
    const listening = await l.t.app.orm.em.fork().getConnection().execute("select count(*)::int as n from pg_stat_activity where query like 'LISTEN%' and application_name like ?", [`aos-listen-${process.pid}-%`]);
    expect(listening).toEqual([{ n: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const expected = truth.map((event) => event.id);
    for (const w of watchers) {
      expect(w.errors).toEqual([]);
      expect(w.received.map((event) => event.id)).toEqual(expected);
    }
  });

  it('closes a stalled watcher with the documented code; it catches up with since, without a gap or a duplicate, while a reading watcher of the same cohort loses nothing', async () => {
    const stackId = await newStack();
    const baseline = (await eventsSince(stackId, null)).at(-1)!.cursor;
    const subscribersBefore = l.t.app.cohorts.subscriberCount();
    const stalled = await rawWatcher(stackId, FULL_EVENT_SUBSCRIPTION);
    const reading = watcher(stackId, FULL_EVENT_SUBSCRIPTION);
    await until('both subscriptions are served', () => l.t.app.cohorts.subscriberCount() === subscribersBefore + 2);
    await recordStackEvent(l.t.app.orm.em.fork(), { tenantId: l.tenant.id, stackId, type: 'FIRST', message: 'before the stall' });
    await until('the stalled watcher has read one event', () => stalled.received.length === 1);
    stalled.socket.pause();
    const closesBefore = l.t.app.cohorts.resumeCloses;
    const message = 'x'.repeat(8000);
    // Writes 8 KB events until the server gives up on the stalled socket (the kernel's buffers
    // absorb the first few hundred KiB, then the server's own grows past BUFFER_BYTES).
    for (let written = 0; l.t.app.cohorts.resumeCloses === closesBefore; written += 20) {
      if (written >= 2000) throw new Error('the stalled watcher was never closed');
      const em = l.t.app.orm.em.fork();
      for (let i = 0; i < 20; i += 1) await recordStackEvent(em, { tenantId: l.tenant.id, stackId, type: 'NOISE', message });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const truth = await eventsSince(stackId, baseline);
    stalled.socket.resume();
    const { code, reason } = await stalled.closed;
    expect(code).toBe(RESUME_CLOSE_CODE);
    expect(reason).toMatch(/Slow consumer/);
    expect(stalled.received.length).toBeGreaterThan(0);
    expect(stalled.received.length).toBeLessThan(truth.length);

    // What the stalled watcher got is a prefix of the stream; its last cursor gives the rest.
    const caughtUp = await eventsSince(stackId, stalled.received.at(-1)!.cursor);
    expect([...stalled.received, ...caughtUp].map((event) => event.id)).toEqual(truth.map((event) => event.id));

    await until('the reading watcher has everything', () => reading.received.length >= truth.length, 20_000);
    expect(reading.errors).toEqual([]);
    expect(reading.received.map((event) => event.id)).toEqual(truth.map((event) => event.id));
  });

  it('delivers events of one stack written by 20 transactions at once in cursor order', async () => {
    const stackId = await newStack();
    const baseline = (await eventsSince(stackId, null)).at(-1)!.cursor;
    const subscribersBefore = l.t.app.cohorts.subscriberCount();
    const w = watcher(stackId);
    await until('the subscription is served', () => l.t.app.cohorts.subscriberCount() === subscribersBefore + 1);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => recordStackEvent(l.t.app.orm.em.fork(), { tenantId: l.tenant.id, stackId, type: 'CONCURRENT', message: `writer ${i}` })));
    }
    const truth = await eventsSince(stackId, baseline);
    expect(truth).toHaveLength(60);
    await until('all 60 arrived', () => w.received.length >= 60, 10_000);
    const seqs = w.received.map((event) => seqOf(event.cursor));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(w.received.map((event) => event.id)).toEqual(truth.map((event) => event.id));
  });

  it('closes its watchers with the documented code when the LISTEN connection is lost, and serves new ones after it returns', async () => {
    const stackId = await newStack();
    const first = await rawWatcher(stackId);
    await until('the subscription is served', async () => {
      await recordStackEvent(l.t.app.orm.em.fork(), { tenantId: l.tenant.id, stackId, type: 'PROBE', message: 'probe' });
      return first.received.length > 0;
    });
    const terminated = await l.t.app.orm.em.fork().getConnection().execute('select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = ?', [l.t.app.listener.applicationName]);
    expect(terminated).toEqual([{ done: true }]);
    const { code, reason } = await first.closed;
    expect(code).toBe(RESUME_CLOSE_CODE);
    expect(reason).toMatch(/Live feed interrupted/);

    // The listener reconnects within a couple of seconds; a new watcher is served again.
    const second = await rawWatcher(stackId);
    await until(
      'a new watcher is served after the reconnect',
      async () => {
        await recordStackEvent(l.t.app.orm.em.fork(), { tenantId: l.tenant.id, stackId, type: 'PROBE', message: 'probe' });
        return second.received.length > 0;
      },
      15_000,
    );
  });
});
