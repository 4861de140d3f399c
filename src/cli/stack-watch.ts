// Watching a stack: `wait` polls over HTTP until the stack leaves PROCESSING, printing the events
// written meanwhile; `events --follow` subscribes over graphql-ws and prints events as they come.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CliFailure, failureOfErrors, request, type Connection } from './client.js';
import { seconds } from './format.js';
import { EVENT_FIELDS, renderEvent, situation, STACK_SUMMARY_FIELDS, type StackEventBody, type StackSummary } from './stack-view.js';

const POLL_MS = 1000;
/** The API's largest page. */
const MAX_PAGE = 100;

interface EventPage {
  edges: { node: StackEventBody }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every event newer than `since` (all of them when null), oldest first. */
async function eventsSince(connection: Connection, stackId: string, since: string | null): Promise<StackEventBody[]> {
  const newestFirst: StackEventBody[] = [];
  let after: string | null = null;
  for (;;) {
    const { stack }: { stack: { events: EventPage } | null } = await request(
      connection,
      `query($id: ID!, $since: String, $after: String, $first: Int) { stack(id: $id) { events(since: $since, after: $after, first: $first) { edges { node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`,
      { id: stackId, since, after, first: MAX_PAGE },
    );
    if (!stack) break;
    newestFirst.push(...stack.events.edges.map((edge) => edge.node));
    if (!stack.events.pageInfo.hasNextPage || !stack.events.pageInfo.endCursor) break;
    after = stack.events.pageInfo.endCursor;
  }
  return newestFirst.reverse();
}

/** The newest `count` events, newest first. */
export async function recentEvents(connection: Connection, stackId: string, count: number): Promise<StackEventBody[]> {
  const { stack } = await request<{ stack: { events: EventPage } | null }>(
    connection,
    `query($id: ID!, $first: Int) { stack(id: $id) { events(first: $first) { edges { node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`,
    { id: stackId, first: count },
  );
  return stack?.events.edges.map((edge) => edge.node) ?? [];
}

/**
 * The cursor to print events after: just before the current action's ACTION_STARTED when an
 * action runs (so a late `wait` still shows the whole action), else the newest event.
 */
export async function startingCursor(connection: Connection, stack: StackSummary): Promise<string | null> {
  const recent = await recentEvents(connection, stack.id, MAX_PAGE);
  if (stack.status === 'PROCESSING') {
    const startIndex = recent.findIndex((event) => event.type === 'ACTION_STARTED');
    if (startIndex >= 0) return recent[startIndex + 1]?.cursor ?? null;
  }
  return recent[0]?.cursor ?? null;
}

export interface WaitOptions {
  /** Print each event as it is written (oldest first). */
  printEvents: boolean;
  /** Only events after this cursor are printed; null: all of the stack's events. */
  since: string | null;
  /** Give up after this long (a CliFailure); undefined: wait as long as it takes. */
  maxWaitMs?: number;
}

export interface WaitOutcome {
  /** The stack as it ended (status DELETED after a delete); null when its record is gone (purged). */
  stack: StackSummary | null;
  failed: boolean;
  /** The action's own duration (its ACTION_STARTED to its last event), else how long the wait took. */
  elapsedMs: number;
}

/** From the newest ACTION_STARTED to the newest event: the last action's own duration, if both are there. */
async function lastActionMs(connection: Connection, stackId: string): Promise<number | null> {
  const newestFirst = await recentEvents(connection, stackId, MAX_PAGE);
  const started = newestFirst.find((event) => event.type === 'ACTION_STARTED');
  const last = newestFirst[0];
  if (!started || !last) return null;
  const ms = Date.parse(last.time) - Date.parse(started.time);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** Polls until the stack is no longer PROCESSING (DELETED after a delete, or gone once purged). */
export async function waitForStack(connection: Connection, stackId: string, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  let cursor = options.since;
  const printed = new Set<string>();
  for (;;) {
    const { stack } = await request<{ stack: StackSummary | null }>(connection, `query($id: ID) { stack(id: $id) { ${STACK_SUMMARY_FIELDS} } }`, { id: stackId });
    // Events after the status read: the ones that explain the status are then never missed.
    if (options.printEvents && stack) {
      for (const event of await eventsSince(connection, stackId, cursor)) {
        if (printed.has(event.id)) continue;
        printed.add(event.id);
        process.stdout.write(`  ${renderEvent(event)}\n`);
        cursor = event.cursor;
      }
    }
    if (!stack) return { stack: null, failed: false, elapsedMs: Date.now() - started };
    if (stack.status !== 'PROCESSING') {
      // A wait on a stack that had finished long ago would otherwise say "after 0.0 s".
      const actionMs = await lastActionMs(connection, stackId).catch(() => null);
      return { stack, failed: stack.actionState === 'FAILED', elapsedMs: actionMs ?? Date.now() - started };
    }
    if (options.maxWaitMs !== undefined && Date.now() - started > options.maxWaitMs) {
      throw new CliFailure(`stack ${stack.name} is still ${situation(stack)} after ${seconds(Date.now() - started)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The end of a wait as a line (stdout) or a failure (stderr, exit 1). */
export function reportWait(name: string, outcome: WaitOutcome): number {
  const took = seconds(outcome.elapsedMs);
  if (!outcome.stack || outcome.stack.status === 'DELETED') {
    process.stdout.write(`${name}: deleted after ${took}\n`);
    return 0;
  }
  if (outcome.failed) {
    throw new CliFailure(`${name}: ${outcome.stack.action ?? 'the action'} FAILED after ${took}; the stack is ${outcome.stack.status}`, outcome.stack.statusReason ? [outcome.stack.statusReason] : []);
  }
  process.stdout.write(`${name}: ${situation(outcome.stack)} after ${took}\n`);
  return 0;
}

/** The server closes a socket it could not deliver everything to with this code; the client catches up. */
const RESUME_CLOSE_CODE = 4008;

/**
 * Prints the newest `history` events (oldest first), then each new one as it is written, until
 * SIGINT/SIGTERM or the stack's deletion. After every (re)connect — a network blip, an API restart,
 * or the server closing a slow reader with 4008 — the events since the last one printed are read
 * with `events(since:)` before any live one is printed: live events arriving meanwhile wait, and
 * everything is printed once (by id) and in order.
 */
export async function followEvents(connection: Connection, stack: StackSummary, history: number, json: boolean): Promise<number> {
  const printed = new Set<string>();
  let cursor: string | null = null;
  // Replaced by the real stop once the subscription exists (the history comes before it).
  let stop = () => {};
  let sawDeletion = false;
  const print = (event: StackEventBody) => {
    if (printed.has(event.id)) return;
    printed.add(event.id);
    cursor = event.cursor;
    process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${renderEvent(event)}\n`);
    // A deleted stack writes nothing more: the follow is over.
    if (event.type === 'STACK_DELETED') {
      sawDeletion = true;
      if (!json) process.stderr.write(`${stack.name} is deleted: nothing more will come\n`);
      stop();
    }
  };
  // Printing is serialised: catch-ups and live events arrive concurrently but must come out in order.
  let printing: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void> | void) => {
    printing = printing.then(work).catch((error: unknown) => {
      process.stderr.write(`aos: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return printing;
  };
  const catchUp = () => enqueue(async () => (await eventsSince(connection, stack.id, cursor)).forEach(print));

  await enqueue(async () => (await recentEvents(connection, stack.id, history)).reverse().forEach(print));
  // A deleted stack writes nothing more: its history is all there is to print.
  if (stack.status === 'DELETED') {
    if (!json && !sawDeletion) process.stderr.write(`${stack.name} is deleted: nothing more will come\n`);
    return 0;
  }

  // Whether the current connection has caught up since its subscription was certainly in place:
  // the first live event proves it is, so a catch-up run after that one arrived misses nothing.
  let caughtUpOnThisConnection = false;
  let quietCatchUp: NodeJS.Timeout | null = null;
  const client = createClient({
    url: connection.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: connection.token ? { authorization: `Bearer ${connection.token}` } : {},
    // Ride out API restarts, network blips and slow-consumer closes (the catch-up fills the gap),
    // but not a refusal: 4403 is the server turning the token down, and retrying would not change its mind.
    retryAttempts: 1000,
    shouldRetry: (closeOrError) => (closeOrError as { code?: unknown } | null)?.code !== 4403,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    on: {
      connected: () => {
        caughtUpOnThisConnection = false;
        // A stack that stays quiet sends nothing live: catch up a moment after the subscription went out.
        if (quietCatchUp) clearTimeout(quietCatchUp);
        quietCatchUp = setTimeout(() => void catchUp(), 500);
      },
      closed: (event) => {
        if (!json && (event as { code?: unknown } | null)?.code === RESUME_CLOSE_CODE) process.stderr.write('the server closed the stream (the reader fell behind): reconnecting and catching up\n');
      },
    },
  });
  const live = client.iterate<{ stackEvents: StackEventBody }>({
    query: `subscription($id: ID!) { stackEvents(stackId: $id) { ${EVENT_FIELDS} } }`,
    variables: { id: stack.id },
  });

  // Ctrl-C reaches both the launcher and this process (the launcher forwards it too): a second
  // SIGINT must not kill us halfway through closing, so the handler stays until the end.
  let stopping = false;
  stop = () => {
    if (stopping) return;
    stopping = true;
    if (quietCatchUp) clearTimeout(quietCatchUp);
    void live.return?.();
    void client.dispose();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (!json) process.stderr.write(`following ${stack.name} (Ctrl-C to stop)\n`);
  try {
    for await (const result of live) {
      if (result.errors?.length) throw failureOfErrors(connection, result.errors.map((error) => ({ message: error.message, extensions: error.extensions })));
      const event = result.data?.stackEvents;
      if (!event) continue;
      if (!caughtUpOnThisConnection) {
        caughtUpOnThisConnection = true;
        // Everything between the last printed event and this one comes first, from the database.
        void catchUp();
      }
      await enqueue(() => print(event));
    }
  } catch (error) {
    if (!stopping) throw error instanceof CliFailure ? error : new CliFailure(`the event stream failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    if (quietCatchUp) clearTimeout(quietCatchUp);
    await client.dispose();
  }
  await printing;
  return 0;
}
