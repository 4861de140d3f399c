// CTC.RDS.PostgreSQL: a database and its owning login role on a registered PostgreSQL server,
// made through the cluster's administrative role.
//
// What is ours is what carries our marker: `COMMENT ON ROLE/DATABASE … IS 'aos:{…}'` naming the
// tenant, stack and element. A role is created and marked in one transaction; CREATE DATABASE
// cannot run in one, so a database left unmarked by a crash is recognised by its owner (our
// marked role, made for this element alone) and marked on the retry. Anything of the same name
// without the marker is someone else's: the driver refuses it and never alters or drops it.
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { RDS_POSTGRESQL_EXTENSIONS } from '../../template/catalog/rds-postgresql.js';
import { PermanentDriverError, type ElementContext, type ElementDriver, type ElementState, type HealthReport } from '../types.js';
import { openPostgresSession, parsePostgresUrl, reasonOf, sqlStateOf, type PostgresConnection, type SessionLimits } from './connection.js';
import { scramVerifier } from './scram.js';
import { workloadAddressOf } from './workload-address.js';

const RDS_POSTGRESQL = 'CTC.RDS.PostgreSQL';

/** An administrative session: statements and a few catalogue rows, never bulk data. */
const ADMIN_LIMITS = { connectTimeoutMs: 15_000, queryTimeoutMs: 30_000, maxBytes: 4 * 1024 * 1024 } as const;
/** A health check: connect as the role and ask one row. */
const HEALTH_LIMITS = { connectTimeoutMs: 5_000, queryTimeoutMs: 5_000, maxBytes: 64 * 1024 } as const;
const GENERATED_PASSWORD_LENGTH = 32;
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ALLOWED_EXTENSIONS: ReadonlySet<string> = new Set(RDS_POSTGRESQL_EXTENSIONS);
const IDENTIFIER = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

interface DatabaseSpec {
  database: string;
  user: string;
  password: string | null;
  connectionLimit: number | null;
  extensions: string[];
}

function specOf(properties: Record<string, unknown>): DatabaseSpec {
  const { database, user, password, connectionLimit, extensions } = properties;
  if (typeof database !== 'string' || !IDENTIFIER.test(database)) throw new PermanentDriverError('database must be a lower-case name (letters, digits, underscores; not pg_…)', 'BadProperty');
  if (typeof user !== 'string' || !IDENTIFIER.test(user)) throw new PermanentDriverError('user must be a lower-case name (letters, digits, underscores; not pg_…)', 'BadProperty');
  if (password !== undefined && password !== null && (typeof password !== 'string' || !/^[\x21-\x7e]{8,128}$/.test(password))) {
    throw new PermanentDriverError('password must be 8..128 printable ASCII characters without spaces', 'BadProperty');
  }
  const limit = connectionLimit === undefined || connectionLimit === null ? null : connectionLimit;
  if (limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw new PermanentDriverError('connectionLimit must be 1..10000', 'BadProperty');
  const wanted = Array.isArray(extensions) ? extensions : [];
  const unknown = wanted.filter((name) => typeof name !== 'string' || !ALLOWED_EXTENSIONS.has(name));
  if (unknown.length > 0) throw new PermanentDriverError(`extensions must come from the allowed list (${RDS_POSTGRESQL_EXTENSIONS.join(', ')})`, 'BadProperty');
  return { database, user, password: typeof password === 'string' ? password : null, connectionLimit: limit, extensions: [...new Set(wanted as string[])].sort() };
}

function generatedPassword(): string {
  let value = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) value += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return value;
}

/** The marker's text: stable for an element, so a retried step recognises what it made. */
export function ownershipMarker(ctx: Pick<ElementContext, 'tenantId' | 'stackId' | 'element'>): string {
  return `aos:${JSON.stringify({ tenant: ctx.tenantId, stack: ctx.stackId, element: ctx.element })}`;
}

/** Text every marker of a stack contains (for listing what a stack left behind). */
export function stackMarkerPart(stackId: string): string {
  return `"stack":${JSON.stringify(stackId)},`;
}

function adminConnectionOf(ctx: ElementContext): PostgresConnection {
  const cluster = ctx.cluster;
  if (!cluster || cluster.kind !== 'POSTGRESQL') throw new PermanentDriverError(`${RDS_POSTGRESQL} needs a stack on a POSTGRESQL cluster`, 'NoCluster');
  const connection = cluster.connectionUrl ? parsePostgresUrl(cluster.connectionUrl).connection : null;
  if (!connection) throw new PermanentDriverError(`cluster ${cluster.name} has no usable connection URL`, 'NoCluster');
  return connection;
}

/** What a failed statement says to the tenant: the step and SQLSTATE, never the server's text. */
class StatementFailed extends Error {
  constructor(step: string, error: unknown) {
    const state = sqlStateOf(error);
    super(`${step}: ${state ? `the server refused it (SQLSTATE ${state})` : reasonOf(error)}`);
    this.name = 'StatementFailed';
  }
}

/** Classes that a retry cannot fix: privileges, syntax, a missing object, bad credentials. */
function isPermanent(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== null && /^(42|28|3D|0L|0P)/.test(state);
}

interface AdminSql {
  query<R extends pg.QueryResultRow>(step: string, text: string, values?: unknown[]): Promise<R[]>;
  ident(name: string): string;
  literal(text: string): string;
}

/** One bounded administrative session on `database` (default: the URL's), closed afterwards. */
async function withAdmin<T>(ctx: ElementContext, work: (sql: AdminSql) => Promise<T>, database?: string): Promise<T> {
  const admin = adminConnectionOf(ctx);
  const limits: SessionLimits = { ...ADMIN_LIMITS, signal: ctx.signal };
  let session;
  try {
    session = await openPostgresSession(database ? { ...admin, database } : admin, ctx.cluster?.endpointPolicy ?? null, limits);
  } catch (error) {
    const failure = new StatementFailed(`connecting to ${ctx.cluster?.name ?? 'the server'} as its administrative role`, error);
    throw isPermanent(error) ? new PermanentDriverError(failure.message, 'AdminConnection') : failure;
  }
  const { client } = session;
  const sql: AdminSql = {
    async query<R extends pg.QueryResultRow>(step: string, text: string, values: unknown[] = []) {
      ctx.heartbeat();
      try {
        return (await client.query<R>(text, values)).rows;
      } catch (error) {
        const failure = new StatementFailed(step, error);
        throw isPermanent(error) ? new PermanentDriverError(failure.message, 'StatementRefused') : failure;
      }
    },
    ident: (name) => client.escapeIdentifier(name),
    literal: (text) => client.escapeLiteral(text),
  };
  try {
    return await work(sql);
  } finally {
    session.close();
  }
}

interface RoleRow {
  oid: number;
  marker: string | null;
}
interface DatabaseRow {
  oid: number;
  marker: string | null;
  owner: number;
  allowconn: boolean;
}

async function findRole(sql: AdminSql, user: string): Promise<RoleRow | null> {
  const rows = await sql.query<RoleRow>(`looking for role ${user}`, "select oid::int8::float8 as oid, shobj_description(oid, 'pg_authid') as marker from pg_roles where rolname = $1", [user]);
  return rows[0] ?? null;
}

async function findDatabase(sql: AdminSql, database: string): Promise<DatabaseRow | null> {
  const rows = await sql.query<DatabaseRow>(
    `looking for database ${database}`,
    "select oid::int8::float8 as oid, shobj_description(oid, 'pg_database') as marker, datdba::int8::float8 as owner, datallowconn as allowconn from pg_database where datname = $1",
    [database],
  );
  return rows[0] ?? null;
}

/** Ours: marked for this element, or left unmarked by a crash and owned by our role. */
function databaseIsOurs(row: DatabaseRow, marker: string, role: RoleRow | null): boolean {
  return row.marker === marker || (row.marker === null && role !== null && role.marker === marker && row.owner === role.oid);
}

function foreign(kind: 'role' | 'database', name: string): PermanentDriverError {
  return new PermanentDriverError(
    `a ${kind} named ${name} already exists on the server and was not created by AOS for this element; it was left untouched — choose another ${kind === 'role' ? 'user' : 'database'} name`,
    'NameTaken',
  );
}

function attributesOf(ctx: ElementContext, spec: DatabaseSpec, password: string, stopped: boolean): Record<string, unknown> {
  const admin = adminConnectionOf(ctx);
  const { host, port } = workloadAddressOf(ctx.cluster?.publishAddress, admin);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    database: spec.database,
    user: spec.user,
    password,
    url: `postgresql://${encodeURIComponent(spec.user)}:${encodeURIComponent(password)}@${shownHost}:${port}/${encodeURIComponent(spec.database)}`,
    stopped,
  };
}

/**
 * Brings the role and database to `spec` with `password`, making what is missing: the one path
 * of create, retried create and update.
 */
async function ensureDatabase(ctx: ElementContext, spec: DatabaseSpec, password: string, dropExtensions: readonly string[]): Promise<void> {
  const marker = ownershipMarker(ctx);
  await withAdmin(ctx, async (sql) => {
    const user = sql.ident(spec.user);
    const database = sql.ident(spec.database);
    let role = await findRole(sql, spec.user);
    if (role && role.marker !== marker) throw foreign('role', spec.user);
    const verifier = sql.literal(scramVerifier(password));
    if (!role) {
      // One transaction: a role that exists is a marked role.
      await sql.query(`creating role ${spec.user}`, 'begin');
      try {
        await sql.query(`creating role ${spec.user}`, `create role ${user} login password ${verifier}`);
        await sql.query(`marking role ${spec.user}`, `comment on role ${user} is ${sql.literal(marker)}`);
        await sql.query(`creating role ${spec.user}`, 'commit');
      } catch (error) {
        await sql.query(`creating role ${spec.user}`, 'rollback').catch(() => undefined);
        throw error;
      }
      ctx.log(`created role ${spec.user}`);
      role = await findRole(sql, spec.user);
      if (!role) throw new Error(`role ${spec.user} was created but cannot be found`);
    } else {
      // The current password, whatever an earlier attempt set (a retried create draws again).
      await sql.query(`setting the password of role ${spec.user}`, `alter role ${user} with login password ${verifier}`);
    }
    // The administrative role acts as the owner for CREATE DATABASE … OWNER, extensions and ending sessions.
    const [membership] = await sql.query<{ member: boolean }>(`checking membership of role ${spec.user}`, "select pg_has_role(current_user, $1, 'MEMBER') as member", [spec.user]);
    if (!membership?.member) await sql.query(`granting role ${spec.user} to the administrative role`, `grant ${user} to current_user`);

    let row = await findDatabase(sql, spec.database);
    if (row && !databaseIsOurs(row, marker, role)) throw foreign('database', spec.database);
    if (!row) {
      await sql.query(`creating database ${spec.database}`, `create database ${database} owner ${user}`);
      ctx.log(`created database ${spec.database}`);
      row = await findDatabase(sql, spec.database);
      if (!row) throw new Error(`database ${spec.database} was created but cannot be found`);
    }
    if (row.marker !== marker) await sql.query(`marking database ${spec.database}`, `comment on database ${database} is ${sql.literal(marker)}`);
    // Other roles on a shared server (other tenants' included) may not even connect.
    await sql.query(`restricting database ${spec.database}`, `revoke connect, temporary on database ${database} from public`);
    await sql.query(`setting the connection limit of ${spec.database}`, `alter database ${database} connection limit ${spec.connectionLimit ?? -1}`);
  });
  if (spec.extensions.length === 0 && dropExtensions.length === 0) return;
  await withAdmin(
    ctx,
    async (sql) => {
      // As the owner: extension objects belong to the database's role, not to the platform's.
      await sql.query(`acting as role ${spec.user}`, `set role ${sql.ident(spec.user)}`);
      for (const name of spec.extensions) await sql.query(`creating extension ${name}`, `create extension if not exists ${sql.ident(name)}`);
      for (const name of dropExtensions) {
        if (!spec.extensions.includes(name)) await sql.query(`dropping extension ${name} (refused while objects use it)`, `drop extension if exists ${sql.ident(name)} restrict`);
      }
    },
    spec.database,
  );
}

/** The database and role the element's state records, when it records valid ones. */
function recordedNames(state: ElementState | null): { database: string; user: string } | null {
  const { database, user } = state?.attributes ?? {};
  return typeof database === 'string' && typeof user === 'string' && IDENTIFIER.test(database) && IDENTIFIER.test(user) ? { database, user } : null;
}

async function setAllowConnections(ctx: ElementContext, state: ElementState, allow: boolean): Promise<void> {
  const recorded = recordedNames(state);
  if (!recorded) throw new PermanentDriverError('the element has no recorded database', 'NoState');
  const { database, user } = recorded;
  const marker = ownershipMarker(ctx);
  await withAdmin(ctx, async (sql) => {
    const role = await findRole(sql, user);
    const row = await findDatabase(sql, database);
    if (!row) throw new PermanentDriverError(`database ${database} no longer exists on the server`, 'Gone');
    if (!databaseIsOurs(row, marker, role)) throw foreign('database', database);
    await sql.query(`${allow ? 'allowing' : 'refusing'} connections to ${database}`, `alter database ${sql.ident(database)} allow_connections ${allow}`);
    if (!allow) {
      // Stopped means no one is using it: open sessions end too.
      await sql.query(`ending sessions on ${database}`, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    }
  });
}

async function dropOwned(ctx: ElementContext, state: ElementState | null): Promise<void> {
  const marker = ownershipMarker(ctx);
  await withAdmin(ctx, async (sql) => {
    // The recorded names, else (a create that failed part way) whatever carries this element's marker.
    const recorded = recordedNames(state);
    const users = recorded
      ? [recorded.user]
      : (await sql.query<{ name: string }>('looking for this element\'s roles', "select rolname as name from pg_roles where shobj_description(oid, 'pg_authid') = $1", [marker])).map((r) => r.name);
    const roles = new Map<string, RoleRow | null>();
    for (const user of users) roles.set(user, await findRole(sql, user));
    const ourRole = [...roles.values()].find((role) => role?.marker === marker) ?? null;
    const databases = recorded
      ? [recorded.database]
      : (
          await sql.query<{ name: string }>(
            'looking for this element\'s databases',
            "select datname as name from pg_database where shobj_description(oid, 'pg_database') = $1 or (shobj_description(oid, 'pg_database') is null and datdba = $2::oid)",
            [marker, ourRole?.oid ?? 0],
          )
        ).map((r) => r.name);
    for (const name of databases) {
      const row = await findDatabase(sql, name);
      if (!row) continue;
      if (!databaseIsOurs(row, marker, ourRole)) {
        ctx.log(`database ${name} is not ours: left untouched`);
        continue;
      }
      // FORCE ends its sessions first (a stopped database has none; a running one may).
      await sql.query(`dropping database ${name}`, `drop database ${sql.ident(name)} with (force)`);
      ctx.log(`dropped database ${name}`);
    }
    for (const [name, role] of roles) {
      if (!role) continue;
      if (role.marker !== marker) {
        ctx.log(`role ${name} is not ours: left untouched`);
        continue;
      }
      await sql.query(`ending sessions of role ${name}`, 'select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 and pid <> pg_backend_pid()', [name]);
      await sql.query(`dropping role ${name}`, `drop role ${sql.ident(name)}`);
      ctx.log(`dropped role ${name}`);
    }
  });
}

function passwordOf(state: ElementState | null): string | null {
  const value = state?.attributes.password;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

async function databaseHealth(ctx: ElementContext, state: ElementState): Promise<HealthReport> {
  const stoppedOnPurpose = state.attributes.stopped === true;
  const recorded = recordedNames(state);
  const password = passwordOf(state);
  if (!password || !recorded) return { health: 'UNKNOWN', message: 'the element has no recorded database' };
  const { database, user } = recorded;
  let admin: PostgresConnection;
  try {
    admin = adminConnectionOf(ctx);
  } catch (error) {
    return { health: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
  }
  if (stoppedOnPurpose) return { health: 'HEALTHY', stopped: true, message: `database ${database} refuses connections (stopped)` };
  let session;
  try {
    session = await openPostgresSession({ ...admin, database, user, password }, ctx.cluster?.endpointPolicy ?? null, { ...HEALTH_LIMITS, signal: ctx.signal });
    await session.client.query('select 1');
    return { health: 'HEALTHY', stopped: false };
  } catch (error) {
    const reason = reasonOf(error);
    // The server answered and refused: the database is not usable. Anything else: the check failed.
    const answered = sqlStateOf(error) !== null;
    return { health: answered ? 'ABNORMAL' : 'UNKNOWN', message: `connecting to ${database} as ${user}: ${reason}`, stopped: false };
  } finally {
    session?.close();
  }
}

export const postgresqlDatabaseDriver: ElementDriver = {
  type: RDS_POSTGRESQL,

  async create(ctx, properties) {
    const spec = specOf(properties);
    const password = spec.password ?? generatedPassword();
    await ensureDatabase(ctx, spec, password, []);
    return { physicalId: `${spec.database}/${spec.user}`, attributes: attributesOf(ctx, spec, password, false) };
  },

  async update(ctx, properties, previous) {
    const spec = specOf(properties);
    const before = specOf(previous.properties);
    if (before.database !== spec.database || before.user !== spec.user) {
      throw new PermanentDriverError('database and user cannot change in place (the element is replaced)', 'NeedsReplace');
    }
    // An explicit password rotates; none keeps the one in use (generated or given earlier).
    const password = spec.password ?? passwordOf(previous.state) ?? generatedPassword();
    // Updates run on running stacks only (NORMAL): the database accepts connections here.
    await ensureDatabase(ctx, spec, password, before.extensions);
    return { physicalId: `${spec.database}/${spec.user}`, attributes: attributesOf(ctx, spec, password, false) };
  },

  async delete(ctx, state) {
    await dropOwned(ctx, state);
  },

  async stop(ctx, state) {
    await setAllowConnections(ctx, state, false);
    return { physicalId: state.physicalId, attributes: { ...state.attributes, stopped: true } };
  },

  async start(ctx, state) {
    await setAllowConnections(ctx, state, true);
    return { physicalId: state.physicalId, attributes: { ...state.attributes, stopped: false } };
  },

  health: databaseHealth,
};
