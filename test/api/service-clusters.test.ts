// A stack's service clusters: clusters of other kinds for the elements its own cluster does not
// deploy (a database on a POSTGRESQL server beside containers on Docker). Nothing is deployed
// here (deploy: false); the example's end-to-end test installs such a stack for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;
const clusters: Record<string, string> = {};

const TEMPLATE = [
  'tosca_definitions_version: ctc_tosca_version_1_0',
  'node_templates:',
  '  db:',
  '    type: CTC.RDS.PostgreSQL',
  '    properties: {database: shop, user: shop}',
].join('\n');

const CREATE = `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename
  ... on CreateStackSuccess { stack { id cluster { name } serviceClusters { name kind } } }
  ... on ValidationError { problems { code path message } } ... on Error { message } } }`;

async function register(owner: TestTenant, name: string, input: Record<string, unknown>): Promise<string> {
  const res = await t.gql(t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on RegisterClusterSuccess { cluster { id } } ... on Error { message } } }`, {
    input: { name, tenantId: owner.id, ...input },
  });
  const id = res.data?.registerCluster?.cluster?.id;
  if (!id) throw new Error(JSON.stringify(res));
  return id as string;
}

async function create(input: Record<string, unknown>) {
  const res = await t.gql(tenant.operator, CREATE, { input: { name: `s-${Math.random().toString(36).slice(2, 8)}`, templateName: 'db-only', deploy: false, ...input } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createStack;
}

describe('service clusters', () => {
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantWithUsers(t, 'svc');
    other = await createTenantWithUsers(t, 'svc-other');
    // Trusted registrations by the platform administrator: nothing is contacted.
    clusters.engine = await register(tenant, 'engine', { kind: 'DOCKER', endpoint: 'unix:///run/aos-test-none.sock' });
    clusters.pg = await register(tenant, 'pg', { kind: 'POSTGRESQL', connectionUrl: 'postgresql://admin:x@db.example.com:5432/postgres' });
    clusters.pg2 = await register(tenant, 'pg2', { kind: 'POSTGRESQL', connectionUrl: 'postgresql://admin:x@db2.example.com:5432/postgres' });
    clusters.engine2 = await register(tenant, 'engine2', { kind: 'DOCKER', endpoint: 'unix:///run/aos-test-none-2.sock' });
    clusters.foreign = await register(other, 'pg', { kind: 'POSTGRESQL', connectionUrl: 'postgresql://admin:x@db3.example.com:5432/postgres' });
    const template = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename } }`, { input: { name: 'db-only', version: '1', body: TEMPLATE } });
    expect(template.data!.createTemplate.__typename).toBe('CreateTemplateSuccess');
  });
  afterAll(async () => t?.close());

  it('puts a stack on its cluster with service clusters named by name or id, and shows them', async () => {
    const byName = await create({ clusterName: 'engine', serviceClusters: ['pg'] });
    expect(byName.__typename, JSON.stringify(byName)).toBe('CreateStackSuccess');
    expect(byName.stack).toMatchObject({ cluster: { name: 'engine' }, serviceClusters: [{ name: 'pg', kind: 'POSTGRESQL' }] });
    const byId = await create({ clusterId: clusters.engine, serviceClusters: [clusters.pg2] });
    expect(byId.stack.serviceClusters).toEqual([{ name: 'pg2', kind: 'POSTGRESQL' }]);
    const read = await t.gql(tenant.viewer, `query($id: ID) { stack(id: $id) { serviceClusters { name } } }`, { id: byId.stack.id });
    expect(read.data!.stack.serviceClusters).toEqual([{ name: 'pg2' }]);
  });

  it('refuses two clusters of one kind, one of the stack cluster\'s kind, too many, and none without a cluster — all at once, creating nothing', async () => {
    const refused = await create({ clusterName: 'engine', serviceClusters: ['pg', 'pg2', 'engine2'] });
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.problems.map((p: { path: string }) => p.path)).toEqual(['serviceClusters[1]', 'serviceClusters[2]']);
    expect(refused.problems[0].message).toContain('one cluster per kind');
    expect((await create({ clusterName: 'engine', serviceClusters: ['pg', 'pg', 'pg', 'pg', 'pg'] })).problems).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', path: 'serviceClusters' })]);
    expect((await create({ serviceClusters: ['pg'] })).problems).toEqual([expect.objectContaining({ code: 'MISSING_VALUE', path: 'clusterId' })]);
    const stacks = await t.gql(tenant.viewer, `{ stacks(first: 100) { edges { node { name } } } }`);
    expect(stacks.data!.stacks.edges).toHaveLength(2);
  });

  it("another tenant's cluster, or an unknown one, is NotFound", async () => {
    expect((await create({ clusterName: 'engine', serviceClusters: [clusters.foreign] })).__typename).toBe('NotFound');
    expect((await create({ clusterName: 'engine', serviceClusters: ['nope'] })).__typename).toBe('NotFound');
  });

  it('a cluster a stack uses as a service cluster cannot be deleted', async () => {
    const res = await t.gql(t.adminToken, `mutation($id: ID!) { deleteCluster(input: { clusterId: $id }) { __typename ... on ClusterInUse { message } } }`, { id: clusters.pg });
    expect(res.data!.deleteCluster.__typename).toBe('ClusterInUse');
  });
});
