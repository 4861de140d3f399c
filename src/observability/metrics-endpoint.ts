// GET /metrics: who may read it, and the small HTTP server the worker serves it on.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

export interface MetricsEndpoint {
  registry: Registry;
  /**
   * AOS_METRICS_TOKEN: when set, every request must carry `Authorization: Bearer <token>` (loopback
   * included); when null, only loopback clients are served. The token grants nothing else.
   */
  token: string | null;
}

/** The eight 16-bit groups of an IPv6 address (an IPv4 tail counts as two), or null. */
function ipv6Groups(address: string): number[] | null {
  const bare = address.split('%')[0];
  if (!isIPv6(bare)) return null;
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(bare);
  const hex = ipv4Tail
    ? `${bare.slice(0, ipv4Tail.index)}${((Number(ipv4Tail[1]) << 8) | Number(ipv4Tail[2])).toString(16)}:${((Number(ipv4Tail[3]) << 8) | Number(ipv4Tail[4])).toString(16)}`
    : bare;
  const [head, tail] = hex.includes('::') ? hex.split('::') : [hex, null];
  const parse = (part: string): number[] => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === null ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x (a dual-stack socket reports `::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  if (isIPv4(address)) return address.split('.')[0] === '127';
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const zeroUpTo = (n: number): boolean => groups.slice(0, n).every((group) => group === 0);
  if (zeroUpTo(7) && groups[7] === 1) return true;
  return zeroUpTo(5) && groups[5] === 0xffff && groups[6] >> 8 === 127;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests of equal length, so neither the token's length nor its prefix leaks by timing. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token));
}

type MetricsAccess = 'allowed' | 'unauthorized' | 'forbidden';

/**
 * With a token: the token decides (a proxy in front would make every client look local). Without
 * one: the peer's address — never X-Forwarded-For, which any client can write.
 */
function metricsAccess(req: IncomingMessage, token: string | null): MetricsAccess {
  if (token) return bearerMatches(req.headers.authorization, token) ? 'allowed' : 'unauthorized';
  return isLoopbackAddress(req.socket.remoteAddress) ? 'allowed' : 'forbidden';
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(`${text}\n`);
}

/**
 * Answers one request for /metrics: 405 for other methods, 401/403 by the access rule, else the
 * registry in Prometheus text format. Rendering is bounded: every label comes from a closed set.
 */
export async function serveMetricsRequest(req: IncomingMessage, res: ServerResponse, endpoint: MetricsEndpoint): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'GET only', { allow: 'GET, HEAD' });
  const access = metricsAccess(req, endpoint.token);
  if (access === 'unauthorized') return plain(res, 401, 'metrics need Authorization: Bearer <AOS_METRICS_TOKEN>', { 'www-authenticate': 'Bearer realm="metrics"' });
  if (access === 'forbidden') return plain(res, 403, 'metrics are served to loopback clients only (set AOS_METRICS_TOKEN to read them from elsewhere)');
  const body = await endpoint.registry.metrics();
  res.writeHead(200, { 'content-type': endpoint.registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
}

export interface MetricsServer {
  /** The bound address, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A server with /metrics only (the worker's): every other path is 404. Port 0 takes a free one. */
export function startMetricsServer(endpoint: MetricsEndpoint, options: { host: string; port: number }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) return plain(res, 404, `no such path; metrics are at ${METRICS_PATH}`);
    serveMetricsRequest(req, res, endpoint).catch(() => {
      if (!res.headersSent) plain(res, 500, 'metrics could not be rendered');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = isIPv6(options.host) ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}${METRICS_PATH}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
