import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationListener } from './listener.js';
import type { TopicName, Topics } from './topics.js';

/**
 * What the feed needs to know of a topic: which row a notification announces, who may want it, how
 * to load a batch of them in one query, and where each loaded row goes.
 */
export interface LiveTopic<T extends TopicName, Row extends object> {
  topic: T;
  /** The id of the announced row; null for a payload that is not well formed. */
  rowIdOf(payload: Topics[T]): string | null;
  /** Keys the row will be routed to, read off the notification: no subscriber on any of them, no load. */
  keysOfPayload(payload: Topics[T]): string[];
  /** One query for a batch of ids: the rows that still exist, in delivery order. */
  load(em: EntityManager, ids: string[]): Promise<Row[]>;
  idOfRow(row: Row): string;
  /** Keys a loaded row is delivered to (read off the row itself, not the announcement). */
  keysOfRow(row: Row): string[];
}

/** Why a live stream ended without being asked to: its subscribers have a gap to catch up on. */
export type LiveStreamEndReason =
  /** Its consumer fell further behind than the stream buffers. */
  | 'overflow'
  /** The LISTEN connection was lost: announcements made meanwhile never arrive. */
  | 'feed_lost'
  /** The process received announcements faster than it could load them. */
  | 'overloaded'
  /** Loading the announced rows failed, again and again. */
  | 'reload_failed';

export class LiveStreamEnded extends Error {
  constructor(readonly reason: LiveStreamEndReason) {
    super(`live stream ended: ${reason}`);
    this.name = 'LiveStreamEnded';
  }
}

export interface LiveFeedCounters {
  reloadQueries(topic: TopicName): void;
  rowsLoaded(topic: TopicName, count: number): void;
}

export interface LiveFeedOptions {
  /** Rows one query loads at most; a longer backlog takes several queries, one after the other. */
  maxBatch?: number;
  /** Announcements waiting to be loaded, per topic; past it, the topic's streams end (`overloaded`). */
  maxPending?: number;
  /** Rows a stream holds for a consumer that has not taken them; past it, the stream ends (`overflow`). */
  maxQueued?: number;
  counters?: LiveFeedCounters;
}

const RELOAD_ATTEMPTS = 3;
const RELOAD_RETRY_MS = 200;

/** One subscriber of the feed: a bounded queue of rows, read as an async iterator. */
export class LiveStream<Row extends object> implements AsyncIterableIterator<Row> {
  private readonly queue: Row[] = [];
  private head = 0;
  private waiting: { resolve(result: IteratorResult<Row>): void; reject(error: unknown): void } | null = null;
  private ended: LiveStreamEnded | null = null;
  private done = false;

  constructor(
    private readonly maxQueued: number,
    private readonly unregister: (stream: LiveStream<Row>) => void,
  ) {}

  /** Hands a row to the consumer, or queues it; ends the stream when the queue is full. */
  push(row: Row): void {
    if (this.done || this.ended) return;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve({ value: row, done: false });
      return;
    }
    if (this.queue.length - this.head >= this.maxQueued) {
      this.fail(new LiveStreamEnded('overflow'));
      return;
    }
    this.queue.push(row);
  }

  /** Ends the stream with an error its consumer sees at once (queued rows are dropped: it must catch up anyway). */
  fail(error: LiveStreamEnded): void {
    if (this.done || this.ended) return;
    this.ended = error;
    this.clearQueue();
    this.unregister(this);
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.reject(error);
    }
  }

  next(): Promise<IteratorResult<Row>> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.head < this.queue.length) {
      const row = this.queue[this.head];
      this.head += 1;
      if (this.head === this.queue.length) this.clearQueue();
      return Promise.resolve({ value: row, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Row>> {
    if (!this.done) {
      this.done = true;
      this.clearQueue();
      this.unregister(this);
      if (this.waiting) this.waiting.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(error: unknown): Promise<IteratorResult<Row>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private clearQueue(): void {
    this.queue.length = 0;
    this.head = 0;
  }
}

interface PendingAnnouncement {
  rowId: string;
  receivedAt: number;
}

/** The feed's state for one topic: its subscribers by key and the announcements not yet delivered. */
class TopicChannel<T extends TopicName, Row extends object> {
  readonly streams = new Map<string, Set<LiveStream<Row>>>();
  private pending: PendingAnnouncement[] = [];
  private flushing = false;
  private readonly stopListening: () => void;

  constructor(
    readonly spec: LiveTopic<T, Row>,
    listener: NotificationListener,
    private readonly feed: LiveFeed,
  ) {
    this.stopListening = listener.on(spec.topic, (payload, receivedAt) => this.announce(payload, receivedAt));
  }

  private announce(payload: Topics[T], receivedAt: number): void {
    const rowId = this.spec.rowIdOf(payload);
    if (rowId === null) return;
    // Nobody in this process watches where the row would go: it is never loaded here.
    if (!this.spec.keysOfPayload(payload).some((key) => this.streams.has(key))) return;
    if (this.pending.length >= this.feed.maxPending) {
      this.pending = [];
      this.failAll(new LiveStreamEnded('overloaded'));
      return;
    }
    this.pending.push({ rowId, receivedAt });
    if (!this.flushing) {
      this.flushing = true;
      // The rest of this tick's notifications join the same batch.
      setImmediate(() => void this.flush());
    }
  }

  /** Loads and delivers what is pending, one batch (one query) at a time, in order. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.feed.maxBatch);
        const receivedAt = new Map<string, number>();
        for (const announcement of batch) if (!receivedAt.has(announcement.rowId)) receivedAt.set(announcement.rowId, announcement.receivedAt);
        const rows = await this.load([...receivedAt.keys()]);
        if (rows === null) {
          this.pending = [];
          this.failAll(new LiveStreamEnded('reload_failed'));
          return;
        }
        for (const row of rows) {
          const at = receivedAt.get(this.spec.idOfRow(row));
          if (at === undefined) continue;
          this.feed.noteReceivedAt(row, at);
          for (const key of new Set(this.spec.keysOfRow(row))) {
            const streams = this.streams.get(key);
            if (streams) for (const stream of [...streams]) stream.push(row);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async load(ids: string[]): Promise<Row[] | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.feed.counters?.reloadQueries(this.spec.topic);
        const rows = await this.spec.load(this.feed.fork(), ids);
        this.feed.counters?.rowsLoaded(this.spec.topic, rows.length);
        return rows;
      } catch {
        if (attempt >= RELOAD_ATTEMPTS || this.feed.closed) return null;
        await new Promise((resolve) => setTimeout(resolve, RELOAD_RETRY_MS * attempt));
      }
    }
  }

  add(key: string, stream: LiveStream<Row>): void {
    let streams = this.streams.get(key);
    if (!streams) {
      streams = new Set();
      this.streams.set(key, streams);
    }
    streams.add(stream);
  }

  remove(key: string, stream: LiveStream<Row>): void {
    const streams = this.streams.get(key);
    if (!streams) return;
    streams.delete(stream);
    if (streams.size === 0) this.streams.delete(key);
  }

  failAll(error: LiveStreamEnded): void {
    for (const streams of [...this.streams.values()]) for (const stream of [...streams]) stream.fail(error);
  }

  close(): void {
    this.stopListening();
    for (const streams of [...this.streams.values()]) for (const stream of [...streams]) void stream.return();
  }
}

/**
 * Rows announced over NOTIFY, loaded once per API process and handed to every interested stream.
 * Announcements of one tick are loaded together (one `where id in (…)` per topic), one batch at a
 * time per topic, so the database sees a bounded number of queries whatever the number of
 * subscribers, and rows reach each stream in announcement order. Nothing is dropped silently: a
 * stream that cannot be served completely ends with `LiveStreamEnded`, and its consumer catches up
 * from the database.
 */
export class LiveFeed {
  readonly maxBatch: number;
  readonly maxPending: number;
  readonly maxQueued: number;
  readonly counters: LiveFeedCounters | undefined;
  closed = false;
  private readonly channels = new Map<TopicName, TopicChannel<TopicName, object>>();
  private readonly receivedAt = new WeakMap<object, number>();
  private readonly stopFollowingInterruptions: () => void;

  constructor(
    private readonly listener: NotificationListener,
    readonly fork: () => EntityManager,
    options: LiveFeedOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPending = options.maxPending ?? 50_000;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.counters = options.counters;
    this.stopFollowingInterruptions = listener.onInterrupted(() => {
      for (const channel of this.channels.values()) channel.failAll(new LiveStreamEnded('feed_lost'));
    });
  }

  /** Rows of `topic` routed to `key` from now on, until the stream is returned or ends. */
  subscribe<T extends TopicName, Row extends object>(spec: LiveTopic<T, Row>, key: string): LiveStream<Row> {
    if (this.closed) throw new Error('the live feed is closed');
    let channel = this.channels.get(spec.topic) as TopicChannel<T, Row> | undefined;
    if (!channel) {
      channel = new TopicChannel(spec, this.listener, this);
      this.channels.set(spec.topic, channel as unknown as TopicChannel<TopicName, object>);
    } else if (channel.spec !== spec) {
      throw new Error(`topic ${spec.topic} is already served by another definition`);
    }
    const owner = channel;
    const stream: LiveStream<Row> = new LiveStream<Row>(this.maxQueued, (ended) => owner.remove(key, ended));
    channel.add(key, stream);
    return stream;
  }

  /** When the announcement of a delivered row reached this process (`performance.now()`). */
  receivedAtOf(row: object): number | undefined {
    return this.receivedAt.get(row);
  }

  noteReceivedAt(row: object, at: number): void {
    this.receivedAt.set(row, at);
  }

  /** Streams open now, all topics together (diagnostics and tests). */
  streamCount(): number {
    let count = 0;
    for (const channel of this.channels.values()) for (const streams of channel.streams.values()) count += streams.size;
    return count;
  }

  close(): void {
    this.closed = true;
    this.stopFollowingInterruptions();
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }
}
