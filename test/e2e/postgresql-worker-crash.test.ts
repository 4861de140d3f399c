// The kill-the-worker test on a real PostgreSQL server: five databases installed one after the
// other, the worker SIGKILLed part way, a new one started. Every database and role is created
// once, recognised by its marker on the retry (never refused as someone else's), and all go with
// the stack.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { ensureFaultTables, FAULT_TYPE, registerFaultType } from '../helpers/fault-type.js';
import { STACK_FIELDS, type StackView } from '../helpers/lifecycle.js';
import { adminClient, postgresClusterUrl, postgresSkipReason, uniqueIdentifier } from '../helpers/postgres-cluster.js';
import { startWorkerChild } from '../helpers/worker-child.js';

const skip = postgresSkipReason();
if (skip) console.log(skip);
const COUNT = 5;
const taskQueue = `aos-pgcrash-${randomBytes(4).toString('hex')}`;
const children: ChildProcess[] = [];
let t: TestApp;
let tenant: TestTenant;
let admin: pg.Client;
let stackId: string | undefined;
const prefix = uniqueIdentifier('crash');

/** pause0 → db0 → pause1 → db1 → …: one database at a time, half a second apart. */
function fiveDatabases(): string {
  const lines = ['tosca_definitions_version: ctc_tosca_version_1_0', 'node_templates:'];
  for (let i = 0; i < COUNT; i++) {
    lines.push(
      `  pause${i}:`,
      `    type: ${FAULT_TYPE}`,
      '    properties: {sleepMs: 500}',
      ...(i > 0 ? [`    requirements: [{dependency: db${i - 1}}]`] : []),
      `  db${i}:`,
      '    type: CTC.RDS.PostgreSQL',
      `    properties: {database: ${prefix}_db${i}, user: ${prefix}_u${i}}`,
      `    requirements: [{dependency: pause${i}}]`,
    );
  }
  return lines.join('\n');
}

async function stackOf(id: string): Promise<StackView | null> {
  const res = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { ${STACK_FIELDS} } }`, { id });
  return res.data!.stack as StackView | null;
}

/** Databases and roles of this run on the server, with their markers. */
async function objects(): Promise<{ kind: string; name: string; marker: string | null }[]> {
  const { rows } = await admin.query<{ kind: string; name: string; marker: string | null }>(
    `select 'database' as kind, datname as name, shobj_description(oid, 'pg_database') as marker from pg_database where datname like $1
     union all select 'role', rolname, shobj_description(oid, 'pg_authid') from pg_roles where rolname like $1 order by 1, 2`,
    [`${prefix}\\_%`],
  );
  return rows;
}

describe.skipIf(skip !== null)('a worker killed in the middle of a 5-database install', () => {
  beforeAll(async () => {
    registerFaultType();
    await ensureFaultTables();
    t = await startTestApp({ taskQueue });
    tenant = await createTenantWithUsers(t, 'pgcrash');
    admin = await adminClient();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    // A failed run must not leave databases and roles on the shared server.
    for (const row of (await objects().catch(() => [])).filter((o) => o.kind === 'database')) await admin.query(`drop database if exists ${row.name} with (force)`).catch(() => undefined);
    for (const row of (await objects().catch(() => [])).filter((o) => o.kind === 'role')) await admin.query(`drop role if exists ${row.name}`).catch(() => undefined);
    await admin?.end();
    await t?.close();
  });

  it('creates each database and role once and removes them all with the stack', async () => {
    const cluster = await t.gql(t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id } } } }`, {
      input: { name: 'rds', kind: 'POSTGRESQL', connectionUrl: postgresClusterUrl(), tenantId: tenant.id },
    });
    const template = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } ... on ValidationError { problems { path message } } } }`, {
      input: { name: 'five', version: '1', body: fiveDatabases() },
    });
    expect(template.data!.createTemplate.__typename, JSON.stringify(template.data)).toBe('CreateTemplateSuccess');
    const first = await startWorkerChild(taskQueue, children);
    const created = await t.gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { id } } } }`, {
      input: { name: `five-${randomBytes(3).toString('hex')}`, templateId: template.data!.createTemplate.template.id, clusterId: cluster.data!.registerCluster.cluster.id },
    });
    stackId = created.data!.createStack.stack.id as string;

    const databases = async () => (await objects()).filter((o) => o.kind === 'database').length;
    const deadline = Date.now() + 60_000;
    while ((await databases()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    const atKill = await databases();
    expect(atKill).toBeGreaterThanOrEqual(2);
    expect(atKill).toBeLessThan(COUNT);

    await startWorkerChild(taskQueue, children);
    const finished = Date.now() + 120_000;
    let stack = await stackOf(stackId);
    while (stack?.status === 'PROCESSING' && Date.now() < finished) {
      await new Promise((r) => setTimeout(r, 250));
      stack = await stackOf(stackId);
    }
    expect(stack?.status, stack?.statusReason ?? '').toBe('NORMAL');
    const events = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { events(first: 100) { edges { node { type element message } } } } }`, { id: stackId });
    const types: string[] = events.data!.stack.events.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(types.filter((type) => type.endsWith('_FAILED'))).toEqual([]);

    // One database and one role per element, each marked for its own element of this stack.
    const rows = await objects();
    expect(rows.map((r) => `${r.kind}:${r.name}`)).toEqual([
      ...Array.from({ length: COUNT }, (_, i) => `database:${prefix}_db${i}`),
      ...Array.from({ length: COUNT }, (_, i) => `role:${prefix}_u${i}`),
    ]);
    for (const row of rows) {
      const element = row.kind === 'database' ? row.name.replace(`${prefix}_db`, 'db') : row.name.replace(`${prefix}_u`, 'db');
      expect(JSON.parse(String(row.marker).replace(/^aos:/, ''))).toEqual({ tenant: tenant.id, stack: stackId, element });
    }
    console.log(`databases at the kill: ${atKill}; after the new worker: ${COUNT}`);

    await t.gql(tenant.operator, `mutation($id: ID!) { deleteStack(input: { stackId: $id }) { __typename } }`, { id: stackId });
    const gone = Date.now() + 120_000;
    // Deleted stacks stay readable as DELETED.
    while ((await stackOf(stackId))?.status !== 'DELETED' && Date.now() < gone) await new Promise((r) => setTimeout(r, 250));
    expect((await stackOf(stackId))?.status).toBe('DELETED');
    expect(await objects()).toEqual([]);
  }, 300_000);
});
