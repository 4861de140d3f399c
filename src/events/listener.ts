import pg from 'pg';
import { NOTIFY_CHANNEL, type Notification, type TopicName, type Topics } from './topics.js';

type Handler = (notification: Notification) => void;

/**
 * One LISTEN connection per API process, fanned out to in-process subscribers. It reconnects
 * after a lost connection; what was announced while it was away is caught up from the events
 * connections (cursors), not from here.
 */
export class NotificationListener {
  private client: pg.Client | null = null;
  private readonly handlers = new Set<Handler>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) return;
      let parsed: Notification;
      try {
        parsed = JSON.parse(message.payload) as Notification;
      } catch {
        return;
      }
      for (const handler of this.handlers) handler(parsed);
    });
    client.on('error', () => this.scheduleReconnect());
    client.on('end', () => this.scheduleReconnect());
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.client = null;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start().catch(() => this.scheduleReconnect());
    }, 1000);
  }

  /** Live notifications of one topic that pass `filter`, until the iterator is returned. */
  subscribe<T extends TopicName>(topic: T, filter: (payload: Topics[T]) => boolean): AsyncIterableIterator<Topics[T]> {
    const queue: Topics[T][] = [];
    let wake: ((result: IteratorResult<Topics[T]>) => void) | null = null;
    let done = false;
    const handler: Handler = (notification) => {
      if (done || notification.topic !== topic) return;
      const payload = notification.payload as Topics[T];
      if (!filter(payload)) return;
      if (wake) {
        const resolve = wake;
        wake = null;
        resolve({ value: payload, done: false });
      } else if (queue.length < 10_000) {
        queue.push(payload);
      }
    };
    this.handlers.add(handler);
    const finish = (): Promise<IteratorResult<Topics[T]>> => {
      done = true;
      this.handlers.delete(handler);
      queue.length = 0;
      if (wake) wake({ value: undefined, done: true });
      wake = null;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (queue.length) return Promise.resolve({ value: queue.shift() as Topics[T], done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (wake = resolve));
      },
      return: finish,
      throw: async (error) => {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.handlers.clear();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
