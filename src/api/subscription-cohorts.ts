import { GraphQLError, type ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';
import { LiveStreamEnded, type LiveStreamEndReason } from '../events/live-feed.js';

/**
 * A socket the server closed because it could not deliver everything to it: the subscriber fell
 * too far behind (or the process lost its notification feed). Nothing after the last message it
 * received is lost: it reconnects, subscribes again and catches up with `events(since: <cursor>)`.
 */
export const RESUME_CLOSE_CODE = 4008;

const CLOSE_REASONS: Record<LiveStreamEndReason | 'slow_consumer', string> = {
  slow_consumer: 'Slow consumer: resubscribe and catch up with events(since:)',
  overflow: 'Slow consumer: resubscribe and catch up with events(since:)',
  feed_lost: 'Live feed interrupted: resubscribe and catch up with events(since:)',
  overloaded: 'Server overloaded: resubscribe and catch up with events(since:)',
  reload_failed: 'Live feed interrupted: resubscribe and catch up with events(since:)',
};

/** What the cohorts report (the app turns it into Prometheus metrics). */
export interface SubscriptionCounters {
  subscribers(operation: string, delta: number): void;
  cohorts(operation: string, delta: number): void;
  /** `count` messages of one event written to sockets, `delayMs` after its announcement arrived. */
  delivered(operation: string, count: number, delayMs: number | undefined): void;
  disconnected(reason: LiveStreamEndReason | 'slow_consumer'): void;
}

/**
 * One subscription operation as the cohorts run it. Subscriptions with the same key (operation
 * text, variables and the viewer's tenant, role and state) give the same results, so they share a
 * source stream, one execution per event and one serialised message.
 */
export interface SharedSubscription {
  key: string;
  /** The root field, for metrics. */
  operation: string;
  /** Starts the source stream (where authorisation is decided), or the errors to answer with. */
  open(): Promise<AsyncIterator<unknown> | ExecutionResult>;
  /** Executes the operation's selection for one source row. */
  execute(row: unknown): Promise<ExecutionResult>;
  /** When the row's announcement reached this process (`performance.now()`), if known. */
  receivedAtOf(row: unknown): number | undefined;
}

/** The TCP socket under a WebSocket (the upgrade request's): corked while a round of messages is written. */
export interface CorkableTransport {
  cork(): void;
  uncork(): void;
}

export interface CohortMember {
  socket: WebSocket;
  /** The graphql-ws operation id. */
  id: string;
  transport?: CorkableTransport;
}

export interface SubscriptionCohortsOptions {
  /** Bytes a socket may have waiting to be sent before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  counters?: SubscriptionCounters;
}

/** Sends a text frame whatever the data's type (ws sends Buffers as binary by default). */
const TEXT_FRAME = { binary: false } as const;

interface MemberState {
  /** `{"id":…,"type":"next","payload":` (UTF-8) — the payload and `}` complete a graphql-ws message. */
  prefix: Buffer;
  end(): void;
  fail(error: Error): void;
}

const DONE: IteratorResult<never> = { value: undefined, done: true };

class Cohort {
  readonly members = new Map<CohortMember, MemberState>();
  closing = false;

  constructor(
    readonly subscription: SharedSubscription,
    private readonly source: AsyncIterator<unknown>,
    private readonly owner: SubscriptionCohorts,
  ) {}

  /** The member's side for graphql-ws: yields nothing (messages are written here), ends with the member. */
  add(member: CohortMember): AsyncIterableIterator<never> {
    let resolveEnd: (result: IteratorResult<never>) => void = () => {};
    let rejectEnd: (error: Error) => void = () => {};
    const ended = new Promise<IteratorResult<never>>((resolve, reject) => {
      resolveEnd = resolve;
      rejectEnd = reject;
    });
    // Unhandled until graphql-ws asks for the next value: never an unhandled rejection.
    ended.catch(() => undefined);
    this.members.set(member, {
      prefix: Buffer.from(`{"id":${JSON.stringify(member.id)},"type":"next","payload":`),
      end: () => resolveEnd(DONE),
      fail: (error) => rejectEnd(error),
    });
    this.owner.memberJoined(this.subscription.operation, 1);
    const leave = (): Promise<IteratorResult<never>> => {
      this.leave(member);
      resolveEnd(DONE);
      return Promise.resolve(DONE);
    };
    return {
      next: () => ended,
      return: leave,
      throw: async (error: unknown) => {
        await leave();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  leave(member: CohortMember): void {
    if (!this.members.delete(member)) return;
    this.owner.memberJoined(this.subscription.operation, -1);
    if (this.members.size === 0) this.stop();
  }

  /** No one left: later subscribers open a cohort of their own; the source stream is released. */
  private stop(): void {
    if (this.closing) return;
    this.closing = true;
    this.owner.forget(this);
    void this.source.return?.();
  }

  async pump(): Promise<void> {
    try {
      for (;;) {
        const item = await this.source.next();
        if (item.done || this.closing) break;
        const result = await this.subscription.execute(item.value);
        this.deliver(Buffer.from(`${JSON.stringify(result)}}`), this.subscription.receivedAtOf(item.value));
      }
      for (const state of this.members.values()) state.end();
    } catch (error) {
      if (error instanceof LiveStreamEnded) {
        // The stream has a gap now: each socket closes with the code that tells its client to catch up.
        for (const member of this.members.keys()) this.owner.closeForResume(member.socket, error.reason);
      } else {
        // Not expected (execution errors are in the result): the operation ends with a masked error.
        const masked = new Error('Unexpected error.');
        for (const state of this.members.values()) state.fail(masked);
      }
    } finally {
      this.stop();
    }
  }

  /** `payload`: the result's JSON and the message's closing brace, encoded once for every member. */
  private deliver(payload: Buffer, receivedAt: number | undefined): void {
    let written = 0;
    for (const [member, state] of this.members) {
      const socket = member.socket;
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > this.owner.maxBufferedBytes) {
        this.owner.closeForResume(socket, 'slow_consumer');
        continue;
      }
      if (member.transport) this.owner.corkUntilNextTurn(member.transport);
      socket.send(Buffer.concat([state.prefix, payload], state.prefix.length + payload.length), TEXT_FRAME);
      written += 1;
    }
    this.owner.counters?.delivered(this.subscription.operation, written, receivedAt === undefined ? undefined : performance.now() - receivedAt);
  }
}

interface CohortEntry {
  opening: Promise<Cohort | ExecutionResult>;
  /** Set once opened. */
  cohort: Cohort | null;
}

/**
 * The subscriptions of one API process, grouped into cohorts of identical operations (the way
 * Hasura multiplexes live queries): one source stream, one execution and one JSON text per event
 * for the whole cohort, written to each member's socket. A socket that lets more than
 * `maxBufferedBytes` pile up is closed with RESUME_CLOSE_CODE rather than buffered without bound.
 */
export class SubscriptionCohorts {
  readonly maxBufferedBytes: number;
  readonly counters: SubscriptionCounters | undefined;
  private readonly cohorts = new Map<string, CohortEntry>();
  private readonly corked = new Set<CorkableTransport>();
  /** Subscriptions (socket × operation) in every cohort. */
  private members = 0;
  /** Sockets closed with RESUME_CLOSE_CODE so far. */
  resumeCloses = 0;

  constructor(options: SubscriptionCohortsOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.counters = options.counters;
  }

  /**
   * Adds the member to the cohort of `subscription` (opening it if it is the first): what
   * graphql-ws iterates for the operation, or the errors that refused it.
   */
  async join(subscription: SharedSubscription, member: CohortMember): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    for (;;) {
      let entry = this.cohorts.get(subscription.key);
      if (!entry) {
        const created: CohortEntry = { opening: Promise.resolve({}), cohort: null };
        created.opening = this.open(subscription, created);
        this.cohorts.set(subscription.key, created);
        entry = created;
      }
      const cohort = await entry.opening;
      if (!(cohort instanceof Cohort)) return cohort;
      // It emptied while this member waited for it to open: open another.
      if (!cohort.closing) return cohort.add(member);
    }
  }

  private async open(subscription: SharedSubscription, entry: CohortEntry): Promise<Cohort | ExecutionResult> {
    let source: AsyncIterator<unknown> | ExecutionResult;
    try {
      source = await subscription.open();
    } catch {
      source = { errors: [] };
    }
    if (!isAsyncIterator(source)) {
      // Refused (not found, bad variables): every member waiting on this opening gets the answer,
      // and the next subscriber asks again.
      if (this.cohorts.get(subscription.key) === entry) this.cohorts.delete(subscription.key);
      return source.errors?.length ? source : { errors: [new GraphQLError('Unexpected error.')] };
    }
    const cohort = new Cohort(subscription, source, this);
    entry.cohort = cohort;
    this.counters?.cohorts(subscription.operation, 1);
    void cohort.pump();
    return cohort;
  }

  forget(cohort: Cohort): void {
    const key = cohort.subscription.key;
    if (this.cohorts.get(key)?.cohort === cohort) this.cohorts.delete(key);
    this.counters?.cohorts(cohort.subscription.operation, -1);
  }

  /**
   * Holds the socket's writes until the event loop's next turn: the messages of every event
   * delivered meanwhile (a burst arrives as one batch, and the batch grows while the process is
   * busy) leave in one system call instead of one each.
   */
  corkUntilNextTurn(transport: CorkableTransport): void {
    if (this.corked.has(transport)) return;
    if (this.corked.size === 0) setImmediate(() => this.uncorkAll());
    this.corked.add(transport);
    transport.cork();
  }

  private uncorkAll(): void {
    const corked = [...this.corked];
    this.corked.clear();
    for (const transport of corked) transport.uncork();
  }

  /** Closes a socket whose subscriptions have a gap; its client resumes from its last cursor. */
  closeForResume(socket: WebSocket, reason: LiveStreamEndReason | 'slow_consumer'): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    this.resumeCloses += 1;
    this.counters?.disconnected(reason);
    socket.close(RESUME_CLOSE_CODE, CLOSE_REASONS[reason]);
  }

  /** Cohorts open now (diagnostics and tests). */
  size(): number {
    return this.cohorts.size;
  }

  /** Subscriptions served now, all cohorts together. */
  subscriberCount(): number {
    return this.members;
  }

  memberJoined(operation: string, delta: 1 | -1): void {
    this.members += delta;
    this.counters?.subscribers(operation, delta);
  }
}

function isAsyncIterator(value: AsyncIterator<unknown> | ExecutionResult): value is AsyncIterator<unknown> {
  return typeof (value as AsyncIterator<unknown>).next === 'function';
}
