// A client process of test/bench/live-fanout.bench.ts: opens K graphql-ws sockets (one
// `stackEvents` subscription each), records every event each subscriber receives with its receipt
// time, and reports over IPC. It speaks the graphql-transport-ws protocol on raw `ws` instead of
// graphql-ws's createClient: no per-message iterator or promise chain, so that thousands of
// sockets cost the client as little CPU as possible (the client shares the 2 cores with the API it
// measures, and reports its own CPU so that the bench can show it was not the bottleneck).
// Run by the bench only: `node --import tsx test/bench/live-client.ts` with an IPC channel.
import WebSocket from 'ws';

export const STACK_EVENTS_SUBSCRIPTION = 'subscription($id: ID!) { stackEvents(stackId: $id) { id type element status message time cursor } }';

/** Parent → client. */
export type ClientCommand =
  | { kind: 'open'; wsUrl: string; token: string; stackIds: string[]; concurrency: number; timeoutMs: number }
  | { kind: 'progress' }
  | { kind: 'mark' }
  | { kind: 'report' }
  | { kind: 'exit' };

/** What one subscriber saw: event ids in the order received, with receipt times (epoch ms). */
export interface SubscriberReport {
  stackId: string;
  ids: string[];
  receivedAt: number[];
  /** Connection failures, `error` messages, unexpected closes (code and reason). */
  problems: string[];
}

/** Client → parent. */
export type ClientMessage =
  | { kind: 'subscribed'; opened: number; failed: number; firstProblem: string | null }
  | { kind: 'progress'; deliveries: number }
  | { kind: 'marked' }
  | { kind: 'report'; subscribers: SubscriberReport[]; cpuSinceMarkMs: number; cpuTotalMs: number; rssMb: number };

interface Subscriber extends SubscriberReport {
  socket: WebSocket | null;
  /** `next` messages as received, parsed into `ids` when the report is asked for. */
  raw: Buffer[];
}

const SUBSCRIPTION_ID = '1';
/** How both the old and the new server begin a `next` message of this client's only operation. */
const NEXT_PREFIX = Buffer.from(`{"id":"${SUBSCRIPTION_ID}","type":"next",`);
const subscribers: Subscriber[] = [];
let deliveries = 0;
let cpuAtMark = process.cpuUsage();
let exiting = false;

function send(message: ClientMessage): void {
  process.send?.(message);
}

/** One socket: connection_init, wait for connection_ack, subscribe. Resolves once the subscribe is sent. */
function open(subscriber: Subscriber, wsUrl: string, token: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, problem?: string): void => {
      if (problem) subscriber.problems.push(problem);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => {
      finish(false, `no connection_ack in ${timeoutMs} ms`);
      socket.terminate();
    }, timeoutMs);
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
    subscriber.socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: WebSocket.RawData) => {
      const receivedAt = Date.now();
      // Events are kept raw and parsed after the scenario: the clients share the API's two cores,
      // and parsing thousands of messages meanwhile would be measured as the server's delay.
      if (Buffer.isBuffer(data) && data.subarray(0, NEXT_PREFIX.length).equals(NEXT_PREFIX)) {
        subscriber.raw.push(data);
        subscriber.receivedAt.push(receivedAt);
        deliveries += 1;
        return;
      }
      const message = JSON.parse((data as Buffer).toString()) as { type: string; id?: string; payload?: unknown };
      switch (message.type) {
        case 'connection_ack':
          socket.send(JSON.stringify({ id: SUBSCRIPTION_ID, type: 'subscribe', payload: { query: STACK_EVENTS_SUBSCRIPTION, variables: { id: subscriber.stackId } } }));
          finish(true);
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'error':
          subscriber.problems.push(`error: ${JSON.stringify(message.payload).slice(0, 300)}`);
          break;
        case 'complete':
          subscriber.problems.push('complete from the server');
          break;
        default:
          break;
      }
    });
    socket.on('error', (error) => finish(false, `socket error: ${error.message}`));
    socket.on('close', (code, reason) => {
      if (!exiting) finish(false, `closed ${code} ${reason.toString()}`);
    });
  });
}

async function openAll(command: Extract<ClientCommand, { kind: 'open' }>): Promise<void> {
  for (const stackId of command.stackIds) subscribers.push({ stackId, ids: [], receivedAt: [], problems: [], socket: null, raw: [] });
  let next = 0;
  let opened = 0;
  // A bounded number of handshakes in flight: a burst of thousands overflows the listen backlog.
  const lane = async (): Promise<void> => {
    while (next < subscribers.length) {
      const subscriber = subscribers[next++];
      if (await open(subscriber, command.wsUrl, command.token, command.timeoutMs)) opened += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, subscribers.length) }, lane));
  const firstProblem = subscribers.find((s) => s.problems.length)?.problems[0] ?? null;
  send({ kind: 'subscribed', opened, failed: subscribers.length - opened, firstProblem });
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function onCommand(command: ClientCommand): void {
  switch (command.kind) {
    case 'open':
      void openAll(command);
      break;
    case 'progress':
      send({ kind: 'progress', deliveries });
      break;
    case 'mark':
      cpuAtMark = process.cpuUsage();
      send({ kind: 'marked' });
      break;
    case 'report': {
      // CPU first: parsing the kept messages is not part of what was measured.
      const cpuSinceMarkMs = cpuMs(process.cpuUsage(cpuAtMark));
      const cpuTotalMs = cpuMs(process.cpuUsage());
      for (const subscriber of subscribers) {
        const times = subscriber.receivedAt;
        subscriber.receivedAt = [];
        subscriber.raw.forEach((raw, k) => {
          const payload = (JSON.parse(raw.toString()) as { payload: { data?: { stackEvents?: { id: string } }; errors?: unknown[] } }).payload;
          const event = payload.data?.stackEvents;
          if (!event) {
            subscriber.problems.push(`next without data: ${JSON.stringify(payload.errors ?? payload).slice(0, 300)}`);
            return;
          }
          subscriber.ids.push(event.id);
          subscriber.receivedAt.push(times[k]);
        });
        subscriber.raw = [];
      }
      send({
        kind: 'report',
        subscribers: subscribers.map(({ stackId, ids, receivedAt, problems }) => ({ stackId, ids, receivedAt, problems })),
        cpuSinceMarkMs,
        cpuTotalMs,
        rssMb: process.memoryUsage().rss / 1024 / 1024,
      });
      break;
    }
    case 'exit':
      exiting = true;
      for (const subscriber of subscribers) subscriber.socket?.terminate();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 200).unref();
      break;
  }
}

if (process.send) {
  process.on('message', (command: ClientCommand) => onCommand(command));
  // The parent gone (killed, crashed): nothing to report to, and no sockets to keep open.
  process.on('disconnect', () => {
    exiting = true;
    for (const subscriber of subscribers) subscriber.socket?.terminate();
    setTimeout(() => process.exit(0), 200).unref();
  });
}
