// CTC.RDS.PostgreSQL on the local PostgreSQL server registered as a POSTGRESQL cluster, through
// the whole product: GraphQL API → Temporal workflows → the driver → the server's catalogue.
// The local server trusts loopback connections (no password is checked), so a password is proven
// by its SCRAM verifier in pg_authid, read as a superuser when the test can be one.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/security/secret-box.js';
import { FAULT_TYPE } from '../helpers/fault-type.js';
import { startLifecycle, type Lifecycle, type StackView } from '../helpers/lifecycle.js';
import { adminClient, connectAs, databaseEntry, postgresClusterUrl, postgresSkipReason, roleEntry, uniqueIdentifier } from '../helpers/postgres-cluster.js';

const skip = postgresSkipReason();
if (skip) console.log(skip);

let l: Lifecycle;
let admin: pg.Client;
let superuser: pg.Client | null = null;
let clusterId: string;
const stacks: string[] = [];

function template(nodes: string[], inputs: string[] = []): string {
  return ['tosca_definitions_version: ctc_tosca_version_1_0', 'inputs:', '  database: {type: string}', '  user: {type: string}', ...inputs, 'node_templates:', ...nodes].join('\n');
}

const DB_NODE = [
  '  db:',
  '    type: CTC.RDS.PostgreSQL',
  '    properties:',
  '      database: {get_input: database}',
  '      user: {get_input: user}',
];

/** The element's attributes as the worker stored them, opened with the platform's key. */
async function openedAttributes(stackId: string, element: string): Promise<Record<string, unknown>> {
  const platform = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await platform.connect();
  try {
    const { rows } = await platform.query<{ attributes: Record<string, unknown> }>('select attributes from stack_elements where stack_id = $1 and name = $2', [stackId, element]);
    return new SecretBox(process.env.AOS_SECRET_KEY!).openAll(rows[0]?.attributes ?? {});
  } finally {
    await platform.end();
  }
}

/** Whether pg_authid holds a SCRAM verifier of `password` for `user` (null: cannot be read here). */
async function passwordMatches(user: string, password: string): Promise<boolean | null> {
  if (!superuser) return null;
  const { rows } = await superuser.query<{ verifier: string | null }>('select rolpassword as verifier from pg_authid where rolname = $1', [user]);
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(rows[0]?.verifier ?? '');
  if (!match) return false;
  const salted = pbkdf2Sync(password, Buffer.from(match[2], 'base64'), Number(match[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  return storedKey === match[3];
}

async function install(body: string, inputs: Record<string, unknown>): Promise<StackView & { templateId: string }> {
  const templateId = await l.createTemplate(body);
  const created = await l.createStack({ templateId, clusterId, inputs });
  if (created.__typename !== 'CreateStackSuccess') throw new Error(JSON.stringify(created));
  stacks.push(created.stack.id);
  return { ...(await l.waitFor(created.stack.id, undefined, 90_000)), templateId };
}

describe.skipIf(skip !== null)('CTC.RDS.PostgreSQL on a real PostgreSQL server', () => {
  beforeAll(async () => {
    l = await startLifecycle('rds');
    admin = await adminClient();
    superuser = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5_000 });
    await superuser.connect().catch(() => {
      console.log('no superuser connection on 127.0.0.1 (trust): password verifiers are not checked');
      superuser = null;
    });
    const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on RegisterClusterSuccess { cluster { id healthy version endpoint publishAddress } } ... on Error { message } } }`, {
      input: { name: 'rds', kind: 'POSTGRESQL', connectionUrl: postgresClusterUrl(), tenantId: l.tenant.id },
    });
    const cluster = res.data?.registerCluster?.cluster;
    if (!cluster) throw new Error(JSON.stringify(res));
    expect(cluster.healthy).toBe(true);
    expect(cluster.publishAddress).toBe('127.0.0.1:5432');
    clusterId = cluster.id;
  });

  afterAll(async () => {
    // A failed run must not leave stacks whose objects collide with nothing but clutter the server.
    for (const id of stacks) if (await l.stack(id).catch(() => null)) await l.remove(id, true).catch(() => undefined);
    for (const id of stacks) await l.waitGone(id, 30_000).catch(() => undefined);
    await admin?.end();
    await superuser?.end();
    await l?.close();
  });

  it('installs a database a client can use, rotates its password in place, stops, starts and deletes it', async () => {
    const database = uniqueIdentifier('shop');
    const user = uniqueIdentifier('shop_owner');
    const body = template([...DB_NODE, '      connectionLimit: 20', 'outputs:', '  url: {value: {get_attribute: [db, url]}}', '  host: {value: {get_attribute: [db, host]}}']);
    const stack = await install(body, { database, user });
    expect(stack.status, stack.statusReason ?? '').toBe('NORMAL');

    // Shown masked everywhere; the host is the cluster's publish address.
    const element = stack.elements.find((e) => e.name === 'db')!;
    expect(element.attributes).toMatchObject({ database, user, host: '127.0.0.1', port: 5432, password: '******', url: '******' });
    expect(stack.outputs).toEqual(expect.arrayContaining([{ name: 'url', value: '******' }, { name: 'host', value: '127.0.0.1' }]));

    const attributes = await openedAttributes(stack.id, 'db');
    const password = String(attributes.password);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(attributes.url).toBe(`postgresql://${user}:${password}@127.0.0.1:5432/${database}`);
    const created = await databaseEntry(admin, database);
    expect(created).toMatchObject({ exists: true, allowConnections: true, connectionLimit: 20 });
    expect(JSON.parse(created.marker!.replace(/^aos:/, ''))).toEqual({ tenant: l.tenant.id, stack: stack.id, element: 'db' });
    expect((await roleEntry(admin, user)).marker).toBe(created.marker);
    expect(await passwordMatches(user, password)).toBe(superuser ? true : null);

    // A client with the element's credentials owns its database.
    const client = await connectAs(user, password, database);
    await client.query('create table orders (id serial primary key, item text not null)');
    await client.query("insert into orders (item) values ('tea')");
    expect((await client.query('select current_user as who')).rows[0].who).toBe(user);
    await client.end();
    // Nobody else may connect: CONNECT was taken from PUBLIC.
    const { rows: grants } = await admin.query<{ allowed: boolean }>("select has_database_privilege('public', $1, 'connect') as allowed", [database]);
    expect(grants[0].allowed).toBe(false);

    // Rotation in place: same database (same oid, the table kept), new password, new limit, an extension.
    const rotated = 'n3w-Passw0rd!';
    await l.addVersion(stack.templateId, '2', template([...DB_NODE, '      password: {get_input: password}', '      connectionLimit: 5'], ['  password: {type: password}']));
    const updated = await l.update(stack.id, { templateVersion: '2', inputs: { database, user, password: rotated } });
    expect(updated.__typename, JSON.stringify(updated)).toBe('UpdateStackSuccess');
    const afterUpdate = await l.waitFor(stack.id);
    expect(afterUpdate.status, afterUpdate.statusReason ?? '').toBe('NORMAL');
    expect(afterUpdate.elements.find((e) => e.name === 'db')!.status).toBe('UPDATE_COMPLETE');
    expect(await databaseEntry(admin, database)).toMatchObject({ oid: created.oid, connectionLimit: 5 });
    expect((await openedAttributes(stack.id, 'db')).password).toBe(rotated);
    expect(await passwordMatches(user, rotated)).toBe(superuser ? true : null);
    expect(await passwordMatches(user, password)).toBe(superuser ? false : null);
    const again = await connectAs(user, rotated, database);
    expect((await again.query('select item from orders')).rows).toEqual([{ item: 'tea' }]);

    // Stop: the database refuses connections and the open session ends.
    expect((await l.execute(stack.id, 'STOP')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('STOPPED');
    expect((await databaseEntry(admin, database)).allowConnections).toBe(false);
    await expect(again.query('select 1')).rejects.toBeDefined();
    await expect(connectAs(user, rotated, database)).rejects.toMatchObject({ code: '55000' });

    expect((await l.execute(stack.id, 'START')).__typename).toBe('ExecuteStackActionSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    const afterStart = await connectAs(user, rotated, database);
    expect((await afterStart.query('select count(*)::int as n from orders')).rows[0].n).toBe(1);

    // Delete: its sessions are ended, the database and the role are gone.
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id);
    expect((await databaseEntry(admin, database)).exists).toBe(false);
    expect((await roleEntry(admin, user)).exists).toBe(false);
    await afterStart.end().catch(() => undefined);
  });

  it('adds and drops extensions from the allowed list in place', async () => {
    const database = uniqueIdentifier('ext');
    const user = uniqueIdentifier('ext_owner');
    const withExtensions = (list: string) => template([...DB_NODE, `      extensions: [${list}]`]);
    const stack = await install(withExtensions('pg_trgm, citext'), { database, user });
    expect(stack.status, stack.statusReason ?? '').toBe('NORMAL');
    const extensions = async () => {
      const client = await adminClient(database);
      try {
        return (await client.query<{ name: string; owner: string }>("select extname as name, pg_get_userbyid(extowner) as owner from pg_extension where extname <> 'plpgsql' order by 1")).rows;
      } finally {
        await client.end();
      }
    };
    expect(await extensions()).toEqual([
      { name: 'citext', owner: user },
      { name: 'pg_trgm', owner: user },
    ]);
    await l.addVersion(stack.templateId, '2', withExtensions('citext, hstore'));
    expect((await l.update(stack.id, { templateVersion: '2', inputs: { database, user } })).__typename).toBe('UpdateStackSuccess');
    expect((await l.waitFor(stack.id)).status).toBe('NORMAL');
    expect((await extensions()).map((e) => e.name)).toEqual(['citext', 'hstore']);
    // An extension outside the list is a template error: nothing is deployed.
    const refused = await l.createTemplate(withExtensions('plpython3u')).catch((error: Error) => error.message);
    expect(refused).toMatch(/INVALID_PROPERTY|createTemplate failed/);
  });

  it('leaves a database of the same name that it did not create untouched, fails naming it, and rolls its role back', async () => {
    const database = uniqueIdentifier('taken');
    const user = uniqueIdentifier('taken_owner');
    await admin.query(`create database ${database}`);
    await admin.query(`comment on database ${database} is 'somebody else''s'`);
    const stack = await install(template(DB_NODE), { database, user });
    expect(stack.status).toBe('INITIAL');
    const events = await l.events(stack.id);
    const failed = events.find((e) => e.type === 'ELEMENT_CREATE_FAILED');
    expect(failed?.message).toContain(`a database named ${database} already exists`);
    expect(failed?.message).toContain('not created by AOS');
    expect(await databaseEntry(admin, database)).toMatchObject({ exists: true, marker: "somebody else's" });
    expect((await roleEntry(admin, user)).exists).toBe(false);
    // Deleting the stack does not touch it either.
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
    await l.waitGone(stack.id);
    expect((await databaseEntry(admin, database)).exists).toBe(true);
    await admin.query(`drop database ${database}`);
  });

  it('refuses a role of the same name it did not create', async () => {
    const database = uniqueIdentifier('r');
    const user = uniqueIdentifier('foreign_role');
    await admin.query(`create role ${user}`);
    const stack = await install(template(DB_NODE), { database, user });
    expect(stack.status).toBe('INITIAL');
    expect((await l.events(stack.id)).find((e) => e.type === 'ELEMENT_CREATE_FAILED')?.message).toContain(`a role named ${user} already exists`);
    expect((await roleEntry(admin, user))).toMatchObject({ exists: true, marker: null });
    expect((await databaseEntry(admin, database)).exists).toBe(false);
    await admin.query(`drop role ${user}`);
  });

  it('rolls the database back when a later element fails', async () => {
    const database = uniqueIdentifier('rolled');
    const user = uniqueIdentifier('rolled_owner');
    const body = template([...DB_NODE, '  after:', `    type: ${FAULT_TYPE}`, '    properties: {failOn: [create], permanent: true}', '    requirements: [{dependency: db}]']);
    const stack = await install(body, { database, user });
    expect(stack.status).toBe('INITIAL');
    const types = (await l.events(stack.id)).map((e) => `${e.type}:${e.element ?? ''}`);
    expect(types).toEqual(expect.arrayContaining(['ELEMENT_CREATE_SUCCEEDED:db', 'ELEMENT_CREATE_FAILED:after', 'ROLLBACK_ELEMENT_DELETE_SUCCEEDED:db']));
    expect((await databaseEntry(admin, database)).exists).toBe(false);
    expect((await roleEntry(admin, user)).exists).toBe(false);
  });

  it('a type the cluster has no driver for fails the install with "no driver", and the rollback has nothing to undo for it', async () => {
    const database = uniqueIdentifier('nodriver');
    const user = uniqueIdentifier('nodriver_owner');
    const body = template([
      ...DB_NODE,
      '  app:',
      '    type: CTC.ServiceStage.StatelessApplication',
      '    requirements: [{package: app-container}, {dependency: db}]',
      '  app-container:',
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties: {package: {image: aos-test/httpd:1}}',
    ]);
    const stack = await install(body, { database, user });
    expect(stack.status, stack.statusReason ?? '').toBe('INITIAL');
    const events = await l.events(stack.id);
    expect(events.find((e) => e.type === 'ELEMENT_CREATE_FAILED')?.message).toContain('no driver deploys elements of type CTC.ServiceStage.ContainerComponent on a POSTGRESQL cluster');
    expect(events.map((e) => e.type)).not.toContain('ROLLBACK_FAILED');
    expect((await databaseEntry(admin, database)).exists).toBe(false);
  });
});
