// Connections to registered clusters, bounded in time and bytes and checked against the endpoint
// policy as they are made. A cluster's endpoint is outside input: its peer may never answer, or
// answer forever, or be somewhere a tenant must not reach.
import http, { type ClientRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createConnection, Socket, type NetConnectOpts } from 'node:net';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { assertConnectable, checkUnixSocket, EndpointRefused, guardedLookup, type EndpointPolicy } from './endpoint-policy.js';

/** Why a connection gave nothing usable: generic on purpose (a peer's own words never go further). */
export type ConnectionFailure = 'unreachable' | 'timed out' | 'TLS failure' | 'refused by the endpoint policy' | 'not an HTTP answer';

/** An answer larger than a socket may carry: the connection is cut there. */
class AnswerTooLarge extends Error {
  readonly code = 'ANSWER_TOO_LARGE';
  constructor(limit: number) {
    super(`the peer sent more than ${limit} bytes`);
    this.name = 'AnswerTooLarge';
  }
}

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** Maps a connection error to what may be shown; the peer's text and the exact errno stay here. */
export function connectionFailureOf(error: unknown): ConnectionFailure {
  if (error instanceof EndpointRefused) return 'refused by the endpoint policy';
  const code = error instanceof Error ? String((error as NodeJS.ErrnoException).code ?? '') : '';
  if (TLS_ERROR.test(code)) return 'TLS failure';
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code.startsWith('HPE_') || error instanceof AnswerTooLarge) return 'not an HTTP answer';
  return 'unreachable';
}

/** Cuts the socket once it has received more than `maxBytes` (TLS records and HTTP framing included). */
export function limitReceivedBytes<T extends Duplex>(socket: T, maxBytes: number): T {
  let received = 0;
  socket.on('data', (chunk: Buffer | string) => {
    received += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (received > maxBytes) socket.destroy(new AnswerTooLarge(maxBytes));
  });
  return socket;
}

// --- one bounded GET -------------------------------------------------------------------------------

export interface BoundedGetRequest {
  /** An http(s) URL, or a unix socket and the path to ask for on it. */
  target: { url: URL } | { socketPath: string; path: string };
  headers?: Record<string, string>;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean };
  /** Everything — resolution, connection, TLS, headers, body — ends by then. */
  timeoutMs: number;
  /** Body bytes kept; the connection is closed once that much came. */
  maxBodyBytes: number;
  /** null: a trusted (platform-registered) endpoint. */
  policy: EndpointPolicy | null;
}

export type BoundedAnswer =
  | { ok: true; status: number; headers: IncomingMessage['headers']; body: Buffer; complete: boolean }
  | { ok: false; failure: ConnectionFailure };

/** Headers larger than this are not an answer we want (Node's default is 16 KiB). */
const MAX_HEADER_BYTES = 8 * 1024;

/**
 * One GET that ends within `timeoutMs` whatever the peer does: the timer destroys the request and
 * its socket (a real abort, not a race), at most `maxBodyBytes` of the body are read, and a
 * tenant's endpoint goes through the policy at the moment of connecting.
 */
export function boundedGet(request: BoundedGetRequest): Promise<BoundedAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (answer: BoundedAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req?.destroy();
      resolve(answer);
    };
    const deadline = setTimeout(() => finish({ ok: false, failure: 'timed out' }), request.timeoutMs);

    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        const room = request.maxBodyBytes - size;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          finish({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: false });
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: true }));
      res.on('error', (error) => finish({ ok: false, failure: connectionFailureOf(error) }));
    };

    const start = async (): Promise<void> => {
      const common = { method: 'GET', agent: false as const, maxHeaderSize: MAX_HEADER_BYTES, headers: { connection: 'close', ...request.headers } };
      if ('socketPath' in request.target) {
        if (request.policy) {
          const verdict = checkUnixSocket(request.policy, request.target.socketPath);
          if (!verdict.ok) throw new EndpointRefused(verdict.reason);
        }
        req = http.request({ ...common, socketPath: request.target.socketPath, path: request.target.path }, onResponse);
      } else {
        const { url } = request.target;
        const secure = url.protocol === 'https:';
        const port = Number(url.port || (secure ? 443 : 80));
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        await assertConnectable(request.policy, host, port);
        if (settled) return;
        const options = { ...common, host, port, path: `${url.pathname}${url.search}`, ...(request.policy ? { lookup: guardedLookup(request.policy, port) } : {}) };
        req = secure ? https.request({ ...options, ...request.tls }, onResponse) : http.request(options, onResponse);
      }
      req.on('error', (error) => finish({ ok: false, failure: connectionFailureOf(error) }));
      req.end();
    };
    start().catch((error: unknown) => finish({ ok: false, failure: connectionFailureOf(error) }));
  });
}

// --- long-lived clients (dockerode, pg) --------------------------------------------------------------

/**
 * An http.Agent for a client library that talks to a cluster (dockerode): every connection is
 * checked against the policy as it is made, and none may receive more than `maxBytes` (one
 * request per connection, so that is a bound per answer: the library buffers whole bodies).
 */
export class GuardedAgent extends http.Agent {
  constructor(
    private readonly policy: EndpointPolicy | null,
    private readonly maxBytes: number,
  ) {
    super({ keepAlive: false });
  }

  /**
   * docker-modem formats every request's options (this agent included) with util.inspect, depth
   * unlimited, whether debug logging is on or not: without this, that walks the agent's live
   * requests and sockets and everything they reach, for seconds per request.
   */
  [inspect.custom](): string {
    return 'GuardedAgent';
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    const { policy, maxBytes } = this;
    // Node always passes the callback; a connection made without one would have no owner.
    if (!callback) throw new Error('GuardedAgent.createConnection needs its callback');
    // On an error the agent reads no socket: the typings want one all the same.
    const fail = (error: unknown): void => callback(error instanceof Error ? error : new Error(String(error)), undefined as unknown as Duplex);
    // For a unix socket, http puts its path in `path` (for TCP `path` is null).
    if (typeof options.path === 'string' && options.path) {
      const socketPath = options.path;
      const verdict = policy ? checkUnixSocket(policy, socketPath) : null;
      setImmediate(() => (verdict && !verdict.ok ? fail(new EndpointRefused(verdict.reason)) : callback(null, limitReceivedBytes(createConnection({ path: socketPath }), maxBytes))));
      return undefined;
    }
    const host = options.host ?? 'localhost';
    const port = Number(options.port);
    assertConnectable(policy, host, port).then(
      () => callback(null, limitReceivedBytes(createConnection({ host, port, ...(policy ? { lookup: guardedLookup(policy, port) } : {}) }), maxBytes)),
      fail,
    );
    return undefined;
  }
}

/**
 * A socket for pg's `stream` option: pg calls `connect(port, host)` on it; the policy is applied
 * there (literal addresses checked first, names through the guarded lookup), and the socket is
 * cut past `maxBytes` received.
 */
export function guardedSocket(policy: EndpointPolicy | null, maxBytes: number): Socket {
  const socket = limitReceivedBytes(new Socket(), maxBytes);
  const connect = socket.connect.bind(socket) as (options: NetConnectOpts) => Socket;
  const guarded = (port: number, host: string): Socket => {
    assertConnectable(policy, host, port).then(
      () => {
        if (!socket.destroyed) connect({ port, host, ...(policy ? { lookup: guardedLookup(policy, port) } : {}) });
      },
      (error: unknown) => socket.destroy(error instanceof Error ? error : new Error(String(error))),
    );
    return socket;
  };
  socket.connect = guarded as unknown as Socket['connect'];
  return socket;
}
