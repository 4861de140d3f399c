// The live feed on the real PostgreSQL: announcements of one tick load in one query, rows reach a
// stream in commit order, nothing is loaded for keys nobody watches, and a stream that cannot be
// served completely ends with a reason instead of losing rows silently.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackEventSchema, type StackEvent } from '../../src/db/entities/index.js';
import { initORM } from '../../src/db/orm.js';
import { LiveFeed, LiveStreamEnded, type LiveStream } from '../../src/events/live-feed.js';
import { NotificationListener } from '../../src/events/listener.js';
import { addStackEvent, commitStackChanges } from '../../src/events/stack-events.js';
import { stackEventTopic } from '../../src/services/stack-views.js';

let orm: MikroORM;
let listener: NotificationListener;
const feeds: LiveFeed[] = [];
const queries = { count: 0, rows: 0 };

beforeAll(async () => {
  orm = await initORM(process.env.DATABASE_URL!);
  listener = new NotificationListener(process.env.DATABASE_URL!);
  await listener.start();
});

afterAll(async () => {
  for (const feed of feeds) feed.close();
  await listener?.close();
  await orm?.close(true);
});

function feed(options: { maxPending?: number; maxQueued?: number } = {}): LiveFeed {
  const created = new LiveFeed(listener, () => orm.em.fork(), {
    ...options,
    counters: { reloadQueries: () => (queries.count += 1), rowsLoaded: (_topic, count) => (queries.rows += count) },
  });
  feeds.push(created);
  return created;
}

/** `count` events of one (made-up) stack, written and announced in one transaction. */
async function writeEvents(tenantId: string, stackId: string, count: number): Promise<StackEvent[]> {
  const em = orm.em.fork();
  const events = Array.from({ length: count }, (_, i) => addStackEvent(em, { tenantId, stackId, type: 'TEST', message: `event ${i}` }));
  await commitStackChanges(em, events);
  return events;
}

async function take<T extends object>(stream: LiveStream<T>, count: number, timeoutMs = 5_000): Promise<T[]> {
  const rows: T[] = [];
  const deadline = setTimeout(() => void stream.return(), timeoutMs);
  for await (const row of stream) {
    rows.push(row);
    if (rows.length >= count) break;
  }
  clearTimeout(deadline);
  return rows;
}

describe('LiveFeed', () => {
  it('loads the announcements of one transaction in one query and hands them to every stream of the key in seq order', async () => {
    const live = feed();
    const [tenantId, stackId] = [randomUUID(), randomUUID()];
    const streams = Array.from({ length: 20 }, () => live.subscribe(stackEventTopic, `${tenantId}/${stackId}`));
    const before = { ...queries };
    const written = await writeEvents(tenantId, stackId, 50);
    const received = await Promise.all(streams.map((stream) => take(stream, 50)));
    // Announcements are batched per event-loop turn: one transaction's NOTIFYs come in one read,
    // unless a loaded machine splits them over two. Each row is loaded once either way.
    expect(queries.count - before.count).toBeLessThanOrEqual(2);
    expect(queries.rows - before.rows).toBe(50);
    for (const rows of received) expect(rows.map((row) => row.id)).toEqual(written.map((event) => event.id));
    const seqs = received[0].map((row) => Number(row.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Every stream got the very same row objects: loaded once.
    expect(received[1][0]).toBe(received[0][0]);
    expect(live.streamCount()).toBe(0);
  });

  it('loads nothing for announcements nobody in the process watches', async () => {
    const live = feed();
    const watched = live.subscribe(stackEventTopic, `${randomUUID()}/${randomUUID()}`);
    const before = { ...queries };
    await writeEvents(randomUUID(), randomUUID(), 30);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queries.count - before.count).toBe(0);
    await watched.return();
  });

  it('ends a stream whose consumer stops reading with "overflow", leaving the other streams whole', async () => {
    // A stream holds a whole batch (a reader takes it row by row after the batch is handed out);
    // one that takes nothing overflows on the third.
    const live = feed({ maxQueued: 15 });
    const [tenantId, stackId] = [randomUUID(), randomUUID()];
    const stalled = live.subscribe(stackEventTopic, `${tenantId}/${stackId}`);
    const reading = live.subscribe(stackEventTopic, `${tenantId}/${stackId}`);
    const readingAll = take(reading, 30);
    for (let batch = 0; batch < 3; batch += 1) {
      await writeEvents(tenantId, stackId, 10);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await readingAll).toHaveLength(30);
    await expect(stalled.next()).rejects.toMatchObject({ name: 'LiveStreamEnded', reason: 'overflow' });
    expect(live.streamCount()).toBe(0);
  });

  it('ends every stream of the topic with "overloaded" when more announcements wait than it may hold', async () => {
    const live = feed({ maxPending: 20 });
    const [tenantId, stackId] = [randomUUID(), randomUUID()];
    const stream = live.subscribe(stackEventTopic, `${tenantId}/${stackId}`);
    // 60 notifications of one commit arrive together, before the feed's next turn loads any.
    await writeEvents(tenantId, stackId, 60);
    const error = await stream.next().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(LiveStreamEnded);
    expect((error as LiveStreamEnded).reason).toBe('overloaded');
  });

  it('ends every stream with "feed_lost" when the LISTEN connection drops', async () => {
    const own = new NotificationListener(process.env.DATABASE_URL!);
    await own.start();
    const live = new LiveFeed(own, () => orm.em.fork());
    const stream = live.subscribe(stackEventTopic, `${randomUUID()}/${randomUUID()}`);
    const pending = stream.next().then(
      () => null,
      (failure: unknown) => failure,
    );
    await orm.em.fork().getConnection().execute('select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?', [own.applicationName]);
    expect(await pending).toMatchObject({ reason: 'feed_lost' });
    live.close();
    await own.close();
  });

  it('skips rows that no longer exist when loaded', async () => {
    const live = feed();
    const [tenantId, stackId] = [randomUUID(), randomUUID()];
    const stream = live.subscribe(stackEventTopic, `${tenantId}/${stackId}`);
    const em = orm.em.fork();
    const gone = addStackEvent(em, { tenantId, stackId, type: 'TEST', message: 'deleted before it is loaded' });
    await em.begin();
    await commitStackChanges(em, [gone]);
    await em.nativeDelete(StackEventSchema, { id: gone.id });
    await em.commit();
    const kept = await writeEvents(tenantId, stackId, 1);
    expect((await take(stream, 1)).map((row) => row.id)).toEqual([kept[0].id]);
  });
});
