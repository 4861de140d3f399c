// The CTC.RDS.PostgreSQL driver called directly on the real server: what a crash can leave behind
// is adopted (never refused as foreign), a delete without recorded state finds the element's own
// objects by their marker, health reads the database as its role, and a tenant's cluster is held
// to the endpoint policy on every connection.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointPolicy } from '../../src/drivers/endpoint-policy-parse.js';
import { ownershipMarker, postgresqlDatabaseDriver as driver } from '../../src/drivers/postgresql/database.js';
import { postgresqlProvider } from '../../src/drivers/postgresql/cluster.js';
import type { ClusterTarget } from '../../src/drivers/types.js';
import { elementContext } from '../helpers/docker.js';
import { adminClient, databaseEntry, postgresClusterUrl, postgresSkipReason, roleEntry, uniqueIdentifier } from '../helpers/postgres-cluster.js';

const skip = postgresSkipReason();
if (skip) console.log(skip);

let admin: pg.Client;
const cluster = (): ClusterTarget => ({ id: 'c1', name: 'local-postgres', kind: 'POSTGRESQL', endpoint: null, publishAddress: 'host.docker.internal:15432', connectionUrl: postgresClusterUrl() });
const contextFor = (element: string, target: ClusterTarget = cluster()) => elementContext({ tenantId: randomUUID(), stackId: randomUUID(), stackName: 's', element, cluster: target });

describe.skipIf(skip !== null)('the PostgreSQL database driver on a real server', () => {
  beforeAll(async () => {
    admin = await adminClient();
  });
  afterAll(async () => admin?.end());

  it('adopts a marked role and an unmarked database owned by it (a crash between two statements), and marks the database', async () => {
    const ctx = contextFor('db');
    const [database, user] = [uniqueIdentifier('half'), uniqueIdentifier('half_owner')];
    await admin.query(`create role ${user} login`);
    await admin.query(`comment on role ${user} is ${admin.escapeLiteral(ownershipMarker(ctx))}`);
    await admin.query(`grant ${user} to current_user`);
    await admin.query(`create database ${database} owner ${user}`);

    const state = await driver.create(ctx, { database, user });
    expect(state.attributes).toMatchObject({ host: 'host.docker.internal', port: 15432, database, user });
    expect(String(state.attributes.url)).toMatch(new RegExp(`^postgresql://${user}:[A-Za-z0-9]{32}@host\\.docker\\.internal:15432/${database}$`));
    expect((await databaseEntry(admin, database)).marker).toBe(ownershipMarker(ctx));
    expect(ctx.logs.filter((line) => line.startsWith('created'))).toEqual([]);
    expect(ctx.heartbeats).toBeGreaterThan(3);

    // Health: a connection as the role, then a database dropped behind the driver's back.
    expect(await driver.health!(ctx, state)).toEqual({ health: 'HEALTHY', stopped: false });
    const stopped = await driver.stop!(ctx, state);
    expect(await driver.health!(ctx, stopped)).toMatchObject({ health: 'HEALTHY', stopped: true });
    const started = await driver.start!(ctx, stopped);
    await admin.query(`drop database ${database}`);
    expect(await driver.health!(ctx, started)).toMatchObject({ health: 'ABNORMAL', message: expect.stringContaining('the database does not exist') });

    // A delete with no recorded state (a create that failed part way) finds the marked role.
    await driver.delete(ctx, null);
    expect((await roleEntry(admin, user)).exists).toBe(false);
  });

  it('a delete without state removes only what carries this element\'s marker', async () => {
    const ours = contextFor('db');
    const theirs = contextFor('db');
    const a = { database: uniqueIdentifier('mine'), user: uniqueIdentifier('mine_owner') };
    const b = { database: uniqueIdentifier('other'), user: uniqueIdentifier('other_owner') };
    await driver.create(ours, a);
    const other = await driver.create(theirs, b);
    await driver.delete(ours, null);
    expect((await databaseEntry(admin, a.database)).exists).toBe(false);
    expect((await roleEntry(admin, a.user)).exists).toBe(false);
    expect((await databaseEntry(admin, b.database)).exists).toBe(true);
    expect(await postgresqlProvider.listOwnedObjects!(cluster(), theirs.stackId)).toEqual([`database/${b.database}`, `role/${b.user}`]);
    await driver.delete(theirs, other);
    expect(await postgresqlProvider.listOwnedObjects!(cluster(), theirs.stackId)).toEqual([]);
  });

  it('refuses, before creating anything, a pg_ name and an extension outside the list', async () => {
    const ctx = contextFor('db');
    await expect(driver.create(ctx, { database: 'pg_mine', user: uniqueIdentifier('u') })).rejects.toMatchObject({ name: 'PermanentDriverError', reason: 'BadProperty' });
    await expect(driver.create(ctx, { database: uniqueIdentifier('d'), user: uniqueIdentifier('u'), extensions: ['plpython3u'] })).rejects.toMatchObject({ reason: 'BadProperty' });
    await expect(driver.create(ctx, { database: uniqueIdentifier('d'), user: "x'; drop role postgres; --" })).rejects.toMatchObject({ reason: 'BadProperty' });
  });

  it('holds a tenant\'s cluster to the endpoint policy on every connection', async () => {
    // Loopback is the platform's own: the default policy refuses it for tenants.
    const policy = parseEndpointPolicy(undefined, { endpoints: [], sockets: [] });
    const ctx = contextFor('db', { ...cluster(), endpointPolicy: policy });
    const database = uniqueIdentifier('blocked');
    const failure = await driver.create(ctx, { database, user: uniqueIdentifier('blocked_owner') }).then(
      () => 'created',
      (error: Error) => error.message,
    );
    expect(failure).toContain('refused by the endpoint policy');
    expect((await databaseEntry(admin, database)).exists).toBe(false);
  });

  it('ends a connection at once when the step is cancelled', async () => {
    const controller = new AbortController();
    const ctx = elementContext({ stackId: randomUUID(), stackName: 's', element: 'db', cluster: cluster(), signal: controller.signal });
    controller.abort();
    const started = Date.now();
    await expect(driver.create(ctx, { database: uniqueIdentifier('c'), user: uniqueIdentifier('c_owner') })).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
