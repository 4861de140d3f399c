// The AOS client: typed requests over fetch and typed subscriptions over graphql-ws, for the
// documents generated from schema/operations/ (./generated). A stack's event stream resumes after
// a reconnect with `events(since:)`, so a dropped socket loses nothing and repeats nothing.
import { createClient, type Client, type ClientOptions, type EventConnectedListener } from 'graphql-ws';
import { StackEventsDocument, StackEventsSinceDocument, type StackEventsSinceQuery, type StackEventsSubscription } from './generated/graphql.js';

/** A generated document: its text, and the types of its result and variables. */
export interface AosDocument<TResult, TVariables> {
  toString(): string;
  /** Carries the types only (see @graphql-typed-document-node/core). */
  __apiType?: (variables: TVariables) => TResult;
}

export interface AosClientOptions {
  /** The API's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql (WebSockets use the same path). */
  url: string;
  /** An API token (`Authorization: Bearer …`). */
  token: string;
  /** Each HTTP request ends by then (default 30 s). */
  timeoutMs?: number;
  /**
   * A WebSocket class for subscriptions where there is no global one (Node 20: the `ws` package's
   * default export). Browsers and Node 22 have their own.
   */
  webSocketImpl?: unknown;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /**
   * Settings of the subscription sockets: listeners (e.g. `closed`, to tell a user the stream is
   * resuming) and the retry policy (default: 20 attempts, whatever the close code).
   */
  socket?: Pick<ClientOptions, 'on' | 'retryAttempts' | 'shouldRetry' | 'retryWait'>;
}

/** What the server said when it answered with GraphQL errors (unauthenticated, masked, invalid). */
export class AosRequestError extends Error {
  constructor(
    message: string,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'AosRequestError';
  }
}

export type StackEvent = StackEventsSubscription['stackEvents'];

export interface AosClient {
  /** One query or mutation; GraphQL errors are thrown as AosRequestError, typed errors come back in the union. */
  request<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables?: TVariables): Promise<TResult>;
  /** A subscription as an async iterator; `return()` (or `break`) ends it. */
  subscribe<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables?: TVariables): AsyncIterableIterator<TResult>;
  /**
   * A stack's events, oldest first, live: after every (re)connection the events since the last one
   * received are read with `events(since:)` before live ones, each event delivered once.
   * `since`: a cursor to start after (what an earlier stream last delivered).
   */
  stackEvents(stackId: string, options?: { since?: string | null }): AsyncIterableIterator<StackEvent>;
  /** Closes the subscription sockets. */
  close(): Promise<void>;
}

/** The union member of a mutation's result whose __typename is `typename`, or null. */
export function whenTypename<T extends { __typename?: string }, N extends string>(result: T, typename: N): Extract<T, { __typename?: N }> | null {
  return result.__typename === typename ? (result as Extract<T, { __typename?: N }>) : null;
}

/** The success member of a mutation's result, or an Error carrying the typed error's name and message. */
export function expectSuccess<T extends { __typename?: string }, N extends string>(result: T, typename: N): Extract<T, { __typename?: N }> {
  const success = whenTypename(result, typename);
  if (success) return success;
  const failure = result as { __typename?: string; message?: string };
  throw Object.assign(new Error(`${failure.__typename ?? 'unknown result'}: ${failure.message ?? 'no message'}`), { result });
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Catch-up after a reconnect reads at most this many pages of events before it gives up on order. */
const MAX_CATCH_UP_PAGES = 100;
const CATCH_UP_PAGE = 100;
/** Ids of delivered events kept to drop a repeat: far more than one catch-up can bring back. */
const SEEN_LIMIT = 20_000;
/**
 * A quiet stack sends nothing live, so nothing proves the subscription is in place: catch up once
 * more this long after each (re)connection, for events written while it was being set up.
 */
const QUIET_CATCH_UP_MS = 500;

function websocketUrl(url: string): string {
  return url.replace(/^http/, 'ws');
}

export function createAosClient(options: AosClientOptions): AosClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sockets = new Set<Client>();

  function socket(onConnected?: () => void): Client {
    const { on = {}, ...retry } = options.socket ?? {};
    const connected: EventConnectedListener = (...args) => {
      on.connected?.(...args);
      onConnected?.();
    };
    const client = createClient({
      url: websocketUrl(options.url),
      connectionParams: { authorization: `Bearer ${options.token}` },
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      retryAttempts: 20,
      shouldRetry: () => true,
      ...retry,
      on: { ...on, connected },
    });
    sockets.add(client);
    return client;
  }

  async function request<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables?: TVariables): Promise<TResult> {
    const response = await fetchImpl(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: { data?: TResult | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new AosRequestError(`the API answered ${response.status} without a GraphQL answer`, [], response.status);
    }
    if (body.errors?.length) throw new AosRequestError(body.errors.map((e) => e.message).join('; '), body.errors, response.status);
    if (body.data === undefined || body.data === null) throw new AosRequestError(`the API answered ${response.status} without data`, [], response.status);
    return body.data;
  }

  function subscribe<TResult, TVariables>(document: AosDocument<TResult, TVariables>, variables?: TVariables): AsyncIterableIterator<TResult> {
    const client = socket();
    const inner = client.iterate<TResult>({ query: document.toString(), variables: variables ?? {} });
    return {
      async next() {
        const step = await inner.next();
        if (step.done) return { done: true, value: undefined };
        if (step.value.errors?.length) throw new AosRequestError(step.value.errors.map((e) => e.message).join('; '), step.value.errors, null);
        return { done: false, value: step.value.data as TResult };
      },
      async return() {
        await inner.return?.();
        await client.dispose();
        sockets.delete(client);
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  function stackEvents(stackId: string, streamOptions: { since?: string | null } = {}): AsyncIterableIterator<StackEvent> {
    let lastCursor = streamOptions.since ?? null;
    const seen = new Set<string>();
    const ready: StackEvent[] = [];
    let buffered: StackEvent[] | null = null;
    let failure: unknown = null;
    let ended = false;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      wake?.();
      wake = null;
    };
    const deliver = (event: StackEvent): void => {
      if (seen.has(event.id)) return;
      seen.add(event.id);
      if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
      lastCursor = event.cursor;
      ready.push(event);
      notify();
    };
    /** Everything after lastCursor, oldest first (the connection pages newest first). */
    const catchUp = async (): Promise<void> => {
      const found: StackEvent[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_CATCH_UP_PAGES; page++) {
        const data: StackEventsSinceQuery = await request(StackEventsSinceDocument, { id: stackId, since: lastCursor, first: CATCH_UP_PAGE, ...(after ? { after } : {}) });
        const events = data.stack?.events;
        if (!events) break;
        found.push(...events.edges.map((edge) => edge.node));
        if (!events.pageInfo.hasNextPage || !events.pageInfo.endCursor) break;
        after = events.pageInfo.endCursor;
      }
      for (const event of found.reverse()) deliver(event);
    };
    // Catch-ups run one after another; live events that come meanwhile wait, so that the order holds.
    let catchUps: Promise<void> = Promise.resolve();
    let catchUpsPending = 0;
    const scheduleCatchUp = (): void => {
      // A stream "from now" has nothing to catch up with before its first event.
      if (lastCursor === null || ended) return;
      buffered ??= [];
      catchUpsPending += 1;
      catchUps = catchUps.then(catchUp).then(
        () => {
          catchUpsPending -= 1;
          if (catchUpsPending > 0) return;
          const waiting = buffered ?? [];
          buffered = null;
          for (const event of waiting) deliver(event);
        },
        (error: unknown) => {
          failure = error;
          notify();
        },
      );
    };
    // Whether a live event came on the current connection: the first one proves the subscription is
    // in place, so a catch-up started then misses nothing written while it was being set up.
    let liveOnThisConnection = false;
    let quietCatchUp: ReturnType<typeof setTimeout> | null = null;
    const clearQuietCatchUp = (): void => {
      if (quietCatchUp) clearTimeout(quietCatchUp);
      quietCatchUp = null;
    };
    const onConnected = (): void => {
      liveOnThisConnection = false;
      scheduleCatchUp();
      clearQuietCatchUp();
      quietCatchUp = setTimeout(scheduleCatchUp, QUIET_CATCH_UP_MS);
    };
    const client = socket(onConnected);
    const unsubscribe = client.subscribe<StackEventsSubscription>(
      { query: StackEventsDocument.toString(), variables: { stackId } },
      {
        next: (message) => {
          const event = message.data?.stackEvents;
          if (!event) return;
          if (!liveOnThisConnection) {
            liveOnThisConnection = true;
            clearQuietCatchUp();
            scheduleCatchUp();
          }
          if (buffered) buffered.push(event);
          else deliver(event);
        },
        error: (error) => {
          failure = error;
          notify();
        },
        complete: () => {
          ended = true;
          notify();
        },
      },
    );
    const finish = async (): Promise<IteratorReturnResult<undefined>> => {
      ended = true;
      clearQuietCatchUp();
      unsubscribe();
      await client.dispose();
      sockets.delete(client);
      notify();
      return { done: true, value: undefined };
    };
    return {
      async next(): Promise<IteratorResult<StackEvent>> {
        for (;;) {
          const event = ready.shift();
          if (event) return { done: false, value: event };
          if (failure) {
            await finish();
            throw failure instanceof Error ? failure : new AosRequestError('the event stream failed', [], null);
          }
          if (ended) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      return: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  return {
    request,
    subscribe,
    stackEvents,
    async close() {
      await Promise.all([...sockets].map(async (client) => client.dispose()));
      sockets.clear();
    },
  };
}
