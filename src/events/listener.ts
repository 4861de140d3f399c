import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NOTIFY_CHANNEL, type Notification, type TopicName, type Topics } from './topics.js';

type TopicHandler<T extends TopicName> = (payload: Topics[T], receivedAt: number) => void;
type AnyHandler = (payload: unknown, receivedAt: number) => void;

/** Largest NOTIFY payload PostgreSQL sends (8000 bytes by default): anything longer is not ours. */
const MAX_PAYLOAD_CHARS = 8000;

/**
 * The one LISTEN connection of an API process; every live stream of the process is fed from it.
 * Handlers run synchronously as a notification arrives, in commit order. A lost connection is
 * reported to `onInterrupted` handlers (what was announced meanwhile is gone for good: streams fed
 * from here must end so their clients catch up from the database) and re-established a second later.
 */
export class NotificationListener {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<TopicName, Set<AnyHandler>>();
  private readonly interruptionHandlers = new Set<() => void>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  /** How this connection shows in `pg_stat_activity` (unique per process: an operator can tell them apart). */
  readonly applicationName = `aos-listen-${process.pid}-${randomBytes(3).toString('hex')}`;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload || message.payload.length > MAX_PAYLOAD_CHARS) return;
      let parsed: Notification;
      try {
        parsed = JSON.parse(message.payload) as Notification;
      } catch {
        return;
      }
      const handlers = typeof parsed?.topic === 'string' ? this.handlers.get(parsed.topic) : undefined;
      if (!handlers || parsed.payload === null || typeof parsed.payload !== 'object') return;
      const receivedAt = performance.now();
      for (const handler of handlers) handler(parsed.payload, receivedAt);
    });
    const lost = () => this.connectionLost(client);
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
  }

  private connectionLost(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    for (const handler of this.interruptionHandlers) handler();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.start().catch(() => this.scheduleReconnect());
    }, 1000);
  }

  /**
   * Calls `handler` with each notification of `topic` (the payload crossed the database: check its
   * fields before use) and the moment it arrived (`performance.now()`). Returns the unsubscribe.
   */
  on<T extends TopicName>(topic: T, handler: TopicHandler<T>): () => void {
    let handlers = this.handlers.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(topic, handlers);
    }
    const registered = handler as AnyHandler;
    handlers.add(registered);
    return () => handlers.delete(registered);
  }

  /** Calls `handler` each time the LISTEN connection is lost. Returns the unsubscribe. */
  onInterrupted(handler: () => void): () => void {
    this.interruptionHandlers.add(handler);
    return () => this.interruptionHandlers.delete(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.handlers.clear();
    this.interruptionHandlers.clear();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
