import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { settleWithin } from '../domain/deadline.js';
import { CONSOLE_PREFIX, type ConsoleFiles } from './console.js';
import { GRAPHIQL_ASSETS_PREFIX, type GraphiQLFiles } from './graphiql.js';
import { METRICS_PATH, serveMetricsRequest, type MetricsEndpoint } from '../observability/metrics-endpoint.js';

/** A probe's check that has not answered by then counts as failed. */
const PROBE_TIMEOUT_MS = 2_000;

type ProbeCheck = () => Promise<unknown>;

export interface ApiServerOptions {
  graphqlPath: string;
  /** Yoga's node handler (it authenticates before any GraphQL work). */
  handleGraphQL(req: IncomingMessage, res: ServerResponse): unknown;
  /** `/health`: the process can serve (its database answers). */
  liveness: Record<string, ProbeCheck>;
  /** `/ready`: everything an operation may need answers (database and Temporal). */
  readiness: Record<string, ProbeCheck>;
  /** `/metrics` (Prometheus text): AOS_METRICS_TOKEN as a bearer token, or loopback clients when unset. */
  metrics?: MetricsEndpoint;
  /** GraphiQL's files (development only): a fixed list under `/graphiql/`, without a token. */
  graphiql?: GraphiQLFiles;
  /** The web console's files (unless AOS_CONSOLE=off): `/console/…`, without a token. */
  console?: ConsoleFiles;
}

export function sourceIpOf(req: IncomingMessage | undefined): string | null {
  const address = req?.socket?.remoteAddress;
  return address ? address.replace(/^::ffff:/, '') : null;
}

function passesWithin(check: ProbeCheck, timeoutMs: number): Promise<boolean> {
  return settleWithin(
    () =>
      check().then(
        () => true,
        () => false,
      ),
    timeoutMs,
    () => false,
  );
}

/** Runs the checks at once; each says only "ok" or "unreachable" (never the error's text). */
async function probe(res: ServerResponse, checks: Record<string, ProbeCheck>, okStatus: string): Promise<void> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => passesWithin(checks[name], PROBE_TIMEOUT_MS)));
  const failed = names.filter((_, i) => !results[i]);
  const body = {
    status: failed.length ? `${failed.join(' and ')} unreachable` : okStatus,
    checks: Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'unreachable'])),
  };
  res.writeHead(failed.length ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/**
 * The API's HTTP server: `/health` and `/ready` answer without a token; `/metrics` (when given)
 * under its own access rule; the GraphQL path goes to Yoga (authentication first); in development
 * GraphiQL's files (a fixed list, see graphiql.ts); the web console (console.ts); anything else is
 * 404 without further work.
 */
export function createApiServer(options: ApiServerOptions): Server {
  return createServer((req, res) => {
    const path = pathOf(req.url);
    const done = (work: unknown): void => {
      // Yoga's node handler answers synchronously or with a promise.
      Promise.resolve(work).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"internal error"}');
        else res.destroy();
      });
    };
    if (path === '/health') return done(probe(res, options.liveness, 'ok'));
    if (path === '/ready') return done(probe(res, options.readiness, 'ready'));
    if (path === METRICS_PATH && options.metrics) return done(serveMetricsRequest(req, res, options.metrics));
    if (path === options.graphqlPath || path === `${options.graphqlPath}/`) return done(options.handleGraphQL(req, res));
    if (options.graphiql && path?.startsWith(GRAPHIQL_ASSETS_PREFIX)) return done(options.graphiql.serve(req, res, path));
    if (options.console && path && (path === CONSOLE_PREFIX.slice(0, -1) || path.startsWith(CONSOLE_PREFIX))) return done(options.console.serve(req, res, path));
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: `no such path; GraphQL is at ${options.graphqlPath}`, extensions: { code: 'NOT_FOUND' } }] }));
  });
}
