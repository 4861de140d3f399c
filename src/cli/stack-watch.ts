// Watching a stack: `wait` polls over HTTP until the stack leaves PROCESSING, printing the events
// written meanwhile; `events --follow` prints events as they come over graphql-ws (the SDK's
// stream, which catches up after every reconnect).

import { StackEventsSinceDocument, StackStatusDocument, type StackEventsSinceQuery } from '../sdk/generated/graphql.js';
import type { Api } from './client.js';
import { CliFailure } from './failure.js';
import { seconds } from './format.js';
import { formatStreamRecord, type OutputFormat } from './output.js';
import { renderEvent, situation, type StackEventBody, type StackSummary } from './stack-view.js';

const POLL_MS = 1000;
/** The API's largest page. */
const MAX_PAGE = 100;

/** Every event newer than `since` (all of them when null), oldest first. */
async function eventsSince(api: Api, stackId: string, since: string | null): Promise<StackEventBody[]> {
  const newestFirst: StackEventBody[] = [];
  let after: string | null = null;
  for (;;) {
    const { stack }: StackEventsSinceQuery = await api.request(StackEventsSinceDocument, { id: stackId, since, after, first: MAX_PAGE });
    if (!stack) break;
    newestFirst.push(...stack.events.edges.map((edge) => edge.node));
    if (!stack.events.pageInfo.hasNextPage || !stack.events.pageInfo.endCursor) break;
    after = stack.events.pageInfo.endCursor;
  }
  return newestFirst.reverse();
}

/** The newest `count` events, newest first. */
export async function recentEvents(api: Api, stackId: string, count: number): Promise<StackEventBody[]> {
  const { stack } = await api.request(StackEventsSinceDocument, { id: stackId, first: count });
  return stack?.events.edges.map((edge) => edge.node) ?? [];
}

/**
 * The cursor to print events after: just before the current action's ACTION_STARTED when an
 * action runs (so a late `wait` still shows the whole action), else the newest event.
 */
export async function startingCursor(api: Api, stack: StackSummary): Promise<string | null> {
  const recent = await recentEvents(api, stack.id, MAX_PAGE);
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
async function lastActionMs(api: Api, stackId: string): Promise<number | null> {
  const newestFirst = await recentEvents(api, stackId, MAX_PAGE);
  const started = newestFirst.find((event) => event.type === 'ACTION_STARTED');
  const last = newestFirst[0];
  if (!started || !last) return null;
  const ms = Date.parse(last.time) - Date.parse(started.time);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** Polls until the stack is no longer PROCESSING (DELETED after a delete, or gone once purged). */
export async function waitForStack(api: Api, stackId: string, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  let cursor = options.since;
  const printed = new Set<string>();
  for (;;) {
    const { stack } = await api.request(StackStatusDocument, { id: stackId });
    // Events after the status read: the ones that explain the status are then never missed.
    if (options.printEvents && stack) {
      for (const event of await eventsSince(api, stackId, cursor)) {
        if (printed.has(event.id)) continue;
        printed.add(event.id);
        process.stdout.write(`  ${renderEvent(event)}\n`);
        cursor = event.cursor;
      }
    }
    if (!stack) return { stack: null, failed: false, elapsedMs: Date.now() - started };
    if (stack.status !== 'PROCESSING') {
      // A wait on a stack that had finished long ago would otherwise say "after 0.0 s".
      const actionMs = await lastActionMs(api, stackId).catch(() => null);
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
/** The server turned the token down: reconnecting would not change its mind. */
const REFUSED_CLOSE_CODE = 4403;

/**
 * Prints the newest `history` events (oldest first), then each new one as it is written, until
 * SIGINT/SIGTERM or the stack's deletion. The SDK's stream reads what it missed after every
 * (re)connect — a network blip, an API restart, the server closing a slow reader with 4008 — so
 * everything is printed once and in order. -o json prints a JSON object per line, -o yaml a document per event.
 */
export async function followEvents(api: Api, stack: StackSummary, history: number, output: OutputFormat): Promise<number> {
  const readable = output === 'table';
  const print = async (event: StackEventBody) => process.stdout.write(readable ? `${renderEvent(event)}\n` : await formatStreamRecord(event, output));
  const deletedNotice = () => {
    if (readable) process.stderr.write(`${stack.name} is deleted: nothing more will come\n`);
  };

  const past = (await recentEvents(api, stack.id, history)).reverse();
  for (const event of past) await print(event);
  // A deleted stack writes nothing more: its history is all there is to print.
  if (stack.status === 'DELETED' || past.at(-1)?.type === 'STACK_DELETED') {
    deletedNotice();
    return 0;
  }

  const stream = await api.stackEvents(stack.id, past.at(-1)?.cursor ?? null, {
    finalCloseCodes: [REFUSED_CLOSE_CODE],
    onClosed: (code) => {
      if (readable && code === RESUME_CLOSE_CODE) process.stderr.write('the server closed the stream (the reader fell behind): reconnecting and catching up\n');
    },
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stream.events.return?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (readable) process.stderr.write(`following ${stack.name} (Ctrl-C to stop)\n`);
  try {
    for await (const event of stream.events) {
      await print(event);
      if (event.type === 'STACK_DELETED') {
        deletedNotice();
        break;
      }
    }
  } catch (error) {
    if (!stopping) throw error instanceof CliFailure ? error : new CliFailure(`the event stream failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await stream.close();
  }
  return 0;
}
