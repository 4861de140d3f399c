// A registered PostgreSQL server's connection URL, read strictly, and the pg client built from it.
//
// The URL is never handed to pg as a connection string: pg reads files for some parameters
// (sslrootcert=/dev/zero made one health check read without end), and for every setting left
// out it falls back to the platform's own environment (PGPASSWORD, ~/.pgpass, PGUSER, PGSSLMODE…).
// So only host, port, database, user, password and sslmode are accepted, and the client config is
// built from those parts with every field set.
import type { Socket } from 'node:net';
import pg from 'pg';
import { settleWithin } from '../../domain/deadline.js';
import { parseHost, type EndpointPolicy } from '../endpoint-policy.js';
import { connectionFailureOf, guardedSocket, limitReceivedBytes } from '../guarded-connections.js';
import { timedOutReason } from '../registration-problems.js';
import type { ClusterHealth } from '../types.js';

type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

export interface PostgresConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  sslmode: SslMode;
}

/** What is wrong with a connection URL. Messages never contain the URL (it holds a password). */
export interface UrlProblem {
  message: string;
  hint?: string;
}

const MAX_CONNECTION_URL = 2048;
const EXAMPLE = 'postgresql://user:password@host:5432/database?sslmode=verify-full';
/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_IDENTIFIER = 63;
const MAX_PASSWORD = 1024;

function decoded(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** A parameter name is shown when it looks like one; anything else could be a pasted secret. */
function shownName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? `"${name}"` : 'a parameter';
}

/**
 * Reads `postgresql://user:password@host:port/database?sslmode=…`. Any other query parameter
 * (sslrootcert, sslcert, sslkey, passfile, options, service, …) is a problem naming it.
 */
export function parsePostgresUrl(text: string): { connection: PostgresConnection | null; problems: UrlProblem[] } {
  const fail = (message: string, hint?: string) => ({ connection: null, problems: [{ message, ...(hint ? { hint } : {}) }] });
  if (text.length > MAX_CONNECTION_URL) return fail(`the connection URL is longer than ${MAX_CONNECTION_URL} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('the connection URL is not a URL', EXAMPLE);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return fail(`the connection URL must start with postgresql://, not ${url.protocol}//`, EXAMPLE);
  const problems: UrlProblem[] = [];
  const host = parseHost(url.hostname);
  if (!url.hostname) problems.push({ message: 'the connection URL names no host', hint: EXAMPLE });
  else if (!host) problems.push({ message: 'the host of the connection URL is neither an IP address nor a host name (one host; no unix socket paths)' });
  const port = url.port ? Number(url.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ message: 'the port of the connection URL is outside 1..65535' });
  const user = decoded(url.username);
  if (!user) problems.push({ message: 'the connection URL names no user', hint: EXAMPLE });
  else if (Buffer.byteLength(user) > MAX_IDENTIFIER) problems.push({ message: `the user name is longer than ${MAX_IDENTIFIER} bytes` });
  const password = decoded(url.password);
  if (password === null || password.length > MAX_PASSWORD) problems.push({ message: `the password must be URL-encoded text of at most ${MAX_PASSWORD} characters` });
  const path = url.pathname.replace(/^\//, '');
  const database = path ? decoded(path) : user;
  if (database === null || database.includes('/') || Buffer.byteLength(database ?? '') > MAX_IDENTIFIER) {
    problems.push({ message: `the database must be one path segment of at most ${MAX_IDENTIFIER} bytes`, hint: EXAMPLE });
  }
  if (url.hash) problems.push({ message: 'the connection URL must not have a #fragment' });
  let sslmode: SslMode = 'disable';
  const names = [...url.searchParams.keys()];
  for (const name of new Set(names)) {
    if (name !== 'sslmode') {
      problems.push({ message: `the connection URL has the parameter ${shownName(name)}, which is not accepted: only sslmode may be given`, hint: 'host, port, database, user and password are parts of the URL; certificates and files on the service\'s hosts cannot be used' });
      continue;
    }
    const value = url.searchParams.get('sslmode') ?? '';
    if (names.filter((n) => n === 'sslmode').length > 1) problems.push({ message: 'sslmode is given more than once' });
    else if ((SSL_MODES as readonly string[]).includes(value)) sslmode = value as SslMode;
    else problems.push({ message: `sslmode must be one of ${SSL_MODES.join(', ')}`, hint: value === 'prefer' || value === 'allow' ? 'a fallback between TLS and plain text is not offered: choose one' : undefined });
  }
  if (problems.length > 0 || !host || !user || password === null || database === null) return { connection: null, problems };
  return { connection: { host: host.kind === 'ip' ? host.address : host.name, port, database, user, password, sslmode }, problems: [] };
}

/** The server's address without user or password: safe to show. */
export function publicPostgresEndpoint(connection: PostgresConnection): string {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `postgresql://${host}:${connection.port}/${encodeURIComponent(connection.database)}`;
}

function sslOptions(mode: SslMode): pg.ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // libpq's meaning: encrypted, the certificate not checked.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/**
 * A pg client config with every setting explicit (nothing falls back to the environment or to
 * files). `socket` should come from guardedSocket(), so that the connection goes through the
 * endpoint policy and is bounded in bytes.
 */
export function postgresClientConfig(
  connection: PostgresConnection,
  options: { socket: () => Socket; connectTimeoutMs: number; queryTimeoutMs: number },
): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    // A function, never a string: an empty password must not make pg read PGPASSWORD or ~/.pgpass.
    password: () => connection.password,
    ssl: sslOptions(connection.sslmode),
    sslnegotiation: 'postgres',
    application_name: 'aos',
    stream: options.socket,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    keepAlive: false,
  };
}

/**
 * A client whose connection was made with guardedSocket(): after a TLS upgrade pg reads from the
 * TLS stream, which the raw socket's byte count no longer sees, so that stream gets its own bound.
 */
function boundTlsBytes(client: pg.Client, maxBytes: number): pg.Client {
  client.connection.once('sslconnect', () => limitReceivedBytes(client.connection.stream, maxBytes));
  return client;
}

/** A health check exchanges a few KiB at most (startup, authentication, one row). */
const HEALTH_MAX_BYTES = 64 * 1024;

/** The SQLSTATE of a server error, when the error is one. */
export function sqlStateOf(error: unknown): string | null {
  const code = error instanceof Error ? String((error as NodeJS.ErrnoException).code ?? '') : '';
  return /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Generic reasons only: the server's own text never goes further than here. */
export function reasonOf(error: unknown): string {
  const code = sqlStateOf(error) ?? '';
  if (/^28[0-9A-Z]{3}$/.test(code)) return 'authentication failed';
  if (code === '3D000') return 'the database does not exist';
  if (code === '55000' || code === '57P03') return 'the server does not accept connections to this database now';
  if (code === '53300') return 'too many connections';
  if (code) return 'the server refused the connection';
  // pg's own words when the server will not speak TLS (no code of their own).
  if (error instanceof Error && /SSL connection/.test(error.message)) return 'TLS failure';
  const failure = connectionFailureOf(error);
  return failure === 'not an HTTP answer' ? 'not a PostgreSQL server' : failure;
}

export interface SessionLimits {
  /** Connection, startup and authentication end by then. */
  connectTimeoutMs: number;
  /** Each statement (server-side statement_timeout and the client's own wait). */
  queryTimeoutMs: number;
  /** Bytes the server may send over the whole session. */
  maxBytes: number;
  /** Aborting it cuts the connection (an activity's cancellation). */
  signal?: AbortSignal;
}

/** A connected client and the one way to let go of it (never throws, safe to call twice). */
export interface PostgresSession {
  client: pg.Client;
  close(): void;
}

/**
 * A connected session bounded in time and bytes, through the endpoint policy. The whole connect
 * ends within `connectTimeoutMs` whatever the peer does: at the deadline the socket is destroyed.
 */
export async function openPostgresSession(connection: PostgresConnection, policy: EndpointPolicy | null, limits: SessionLimits): Promise<PostgresSession> {
  const socket = guardedSocket(policy, limits.maxBytes);
  const config = postgresClientConfig(connection, { socket: () => socket, connectTimeoutMs: limits.connectTimeoutMs, queryTimeoutMs: limits.queryTimeoutMs });
  const client = boundTlsBytes(new pg.Client({ ...config, statement_timeout: limits.queryTimeoutMs, lock_timeout: limits.queryTimeoutMs }), limits.maxBytes);
  // An error event after use (the server going away) must not crash the process.
  client.on('error', () => undefined);
  const onAbort = (): void => {
    socket.destroy();
  };
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  const close = (): void => {
    limits.signal?.removeEventListener('abort', onAbort);
    // Not awaited: end() waits for the socket to close, which the destroy below makes sure of.
    void client.end().catch(() => undefined);
    socket.destroy();
  };
  if (limits.signal?.aborted) socket.destroy();
  try {
    const connected = await settleWithin(
      () => client.connect().then(() => true),
      limits.connectTimeoutMs,
      () => false,
    );
    if (!connected) throw Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
    return { client, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Connects, asks the server version, disconnects — all within `timeoutMs`: at the deadline the
 * socket is destroyed (pg's pending calls fail with it). Never throws; reasons are generic.
 */
export async function postgresHealth(connection: PostgresConnection, policy: EndpointPolicy | null, timeoutMs: number): Promise<ClusterHealth> {
  let session: PostgresSession | undefined;
  const check = async (): Promise<ClusterHealth> => {
    try {
      session = await openPostgresSession(connection, policy, { connectTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs, maxBytes: HEALTH_MAX_BYTES });
      const { rows } = await session.client.query<{ version: string }>("select current_setting('server_version') as version");
      // The server's own text, cut to the numbers.
      const version = /^\d+(\.\d+)*/.exec(String(rows[0]?.version ?? ''))?.[0];
      return { healthy: true, version: version ? `PostgreSQL ${version}` : 'PostgreSQL', message: null };
    } catch (error) {
      return { healthy: false, version: null, message: reasonOf(error) === 'timed out' ? timedOutReason(timeoutMs) : reasonOf(error) };
    }
  };
  try {
    return await settleWithin(check, timeoutMs, () => ({ healthy: false, version: null, message: timedOutReason(timeoutMs) }));
  } finally {
    session?.close();
  }
}
