// The local PostgreSQL server as a POSTGRESQL cluster: `npm test` creates the administrative role
// aos_rds_admin (CREATEDB, CREATEROLE, no superuser — like a managed database's master user) and
// exports its URL as AOS_TEST_POSTGRES_CLUSTER_URL. Tests that need it skip, and say so, without it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function postgresClusterUrl(): string {
  return process.env.AOS_TEST_POSTGRES_CLUSTER_URL ?? '';
}

export function postgresSkipReason(): string | null {
  return postgresClusterUrl() ? null : 'AOS_TEST_POSTGRES_CLUSTER_URL is not set (run through npm test): PostgreSQL cluster tests skipped';
}

/** A name no earlier run used: roles and databases live on the server across runs. */
export function uniqueIdentifier(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A client of the server as its administrative role, for checks of the catalogue. */
export async function adminClient(database?: string): Promise<pg.Client> {
  const url = new URL(postgresClusterUrl());
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}

export interface CatalogueEntry {
  exists: boolean;
  marker: string | null;
  allowConnections?: boolean;
  connectionLimit?: number;
  oid?: number;
}

export async function databaseEntry(client: pg.Client, name: string): Promise<CatalogueEntry> {
  const { rows } = await client.query<{ oid: number; marker: string | null; allow: boolean; limit: number }>(
    "select oid::int8::float8 as oid, shobj_description(oid, 'pg_database') as marker, datallowconn as allow, datconnlimit as limit from pg_database where datname = $1",
    [name],
  );
  const row = rows[0];
  return row ? { exists: true, marker: row.marker, allowConnections: row.allow, connectionLimit: row.limit, oid: row.oid } : { exists: false, marker: null };
}

export async function roleEntry(client: pg.Client, name: string): Promise<CatalogueEntry> {
  const { rows } = await client.query<{ oid: number; marker: string | null }>("select oid::int8::float8 as oid, shobj_description(oid, 'pg_authid') as marker from pg_roles where rolname = $1", [name]);
  const row = rows[0];
  return row ? { exists: true, marker: row.marker, oid: row.oid } : { exists: false, marker: null };
}

/** Connects as `user` with `password` to `database` on the cluster's server. */
export async function connectAs(user: string, password: string, database: string): Promise<pg.Client> {
  const server = new URL(postgresClusterUrl());
  const client = new pg.Client({ host: server.hostname, port: Number(server.port || 5432), user, password, database, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
