import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ApiTokenSchema, ClusterSchema, UserSchema } from '../../src/db/entities/index.js';
import { MAX_CLUSTERS_PER_TENANT } from '../../src/services/clusters.js';
import { MAX_USERS_PER_TENANT } from '../../src/services/users.js';
import { repoRoot } from '../../src/config.js';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

// Roles stop at the tenant's edge, and tokens have a life: made, used, expired, revoked, deleted
// with their user. Attacks come from a tenant ADMIN, the strongest role a tenant has.

let t: TestApp;
let acme: TestTenant;
let victim: TestTenant;
let acmeAdmin: string;
let acmeAdminId: string;

const CREATE_USER = `mutation($tenantId: ID!, $name: String!, $role: Role!) {
  createUser(input: { tenantId: $tenantId, name: $name, role: $role }) {
    __typename ... on CreateUserSuccess { token user { id name role platformAdmin } } ... on Error { code message }
  }
}`;
const CREATE_TOKEN = `mutation($input: CreateTokenInput!) {
  createToken(input: $input) {
    __typename ... on CreateTokenSuccess { token apiToken { id name createdAt expiresAt lastUsedAt } }
    ... on ValidationError { problems { code path message } } ... on Error { code message }
  }
}`;
const REVOKE = `mutation($id: ID!) { revokeToken(input: { tokenId: $id }) { __typename ... on RevokeTokenSuccess { tokenId } ... on Error { code message } } }`;
const DELETE_USER = `mutation($id: ID!) { deleteUser(input: { userId: $id }) { __typename ... on DeleteUserSuccess { userId } ... on Error { code message } } }`;
const WHOAMI = `{ viewer { id name role platformAdmin tenant { name } tokens { id name } } }`;

async function createUser(token: string, tenantId: string, name: string, role: string) {
  const res = await t.gql(token, CREATE_USER, { tenantId, name, role });
  return res.data!.createUser as { __typename: string; token?: string; user?: { id: string }; code?: string };
}

async function whoami(token: string) {
  const res = await t.gql(token, WHOAMI);
  return res;
}

beforeAll(async () => {
  t = await startTestApp();
  acme = await createTenantWithUsers(t, 'acme');
  victim = await createTenantWithUsers(t, 'victim');
  const admin = await createUser(t.adminToken, acme.id, 'acme-admin', 'ADMIN');
  acmeAdmin = admin.token!;
  acmeAdminId = admin.user!.id;
});
afterAll(async () => t?.close());

describe('a tenant ADMIN stops at its tenant’s edge', () => {
  it('is not the platform administrator', async () => {
    const me = await whoami(acmeAdmin);
    expect(me.data!.viewer).toMatchObject({ role: 'ADMIN', platformAdmin: false, tenant: { name: acme.name } });
    const platform = await whoami(t.adminToken);
    expect(platform.data!.viewer).toMatchObject({ role: 'ADMIN', platformAdmin: true, tenant: { name: 'default' } });
  });

  it('sees only its own tenant', async () => {
    const res = await t.gql(acmeAdmin, `{ tenants { id name } }`);
    expect(res.data!.tenants).toEqual([{ id: acme.id, name: acme.name }]);
    const all = await t.gql(t.adminToken, `{ tenants { id } }`);
    expect(all.data!.tenants.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([acme.id, victim.id]));
  });

  it('gets NotFound for every change to another tenant, which stays as it was', async () => {
    expect(await createUser(acmeAdmin, victim.id, 'intruder', 'ADMIN')).toMatchObject({ __typename: 'NotFound' });
    const freeze = await t.gql(acmeAdmin, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename } }`, { id: victim.id });
    expect(freeze.data!.setTenantState.__typename).toBe('NotFound');
    const quota = await t.gql(acmeAdmin, `mutation($id: ID!) { setQuota(input: { tenantId: $id, stacks: 0 }) { __typename } }`, { id: victim.id });
    expect(quota.data!.setQuota.__typename).toBe('NotFound');
    const users = await t.gql(acmeAdmin, `query($id: ID) { users(tenantId: $id) { name } }`, { id: victim.id });
    expect(users.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The victim is untouched: active, its quota as before, no intruder among its users.
    const seen = await t.gql(t.adminToken, `query($id: ID) { users(tenantId: $id) { name } tenants { id state } }`, { id: victim.id });
    expect(seen.data!.users.map((u: { name: string }) => u.name).sort()).toEqual(['operator-1', 'viewer-1']);
    expect(seen.data!.tenants.find((x: { id: string }) => x.id === victim.id).state).toBe('ACTIVE');
    const victimQuota = await t.gql(victim.viewer, `{ quota { stacks } }`);
    expect(victimQuota.data!.quota.stacks).toBe(200);
  });

  it('gets the same NotFound for an id that does not exist at all (ids leak nothing)', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const a = await t.gql(acmeAdmin, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename ... on Error { message } } }`, { id: unknown });
    const b = await t.gql(acmeAdmin, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename ... on Error { message } } }`, { id: victim.id });
    expect(a.data!.setTenantState.__typename).toBe('NotFound');
    expect(b.data!.setTenantState.message.replace(victim.id, unknown)).toBe(a.data!.setTenantState.message);
  });

  it('cannot make tenants, nor set its own quota or state', async () => {
    const tenant = await t.gql(acmeAdmin, `mutation { createTenant(input: { name: "rogue" }) { __typename } }`);
    expect(tenant.data!.createTenant.__typename).toBe('Forbidden');
    const quota = await t.gql(acmeAdmin, `mutation($id: ID!) { setQuota(input: { tenantId: $id, stacks: 100000 }) { __typename } }`, { id: acme.id });
    expect(quota.data!.setQuota.__typename).toBe('Forbidden');
    const thaw = await t.gql(acmeAdmin, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename } }`, { id: acme.id });
    expect(thaw.data!.setTenantState.__typename).toBe('Forbidden');
  });

  it('manages its own tenant’s users; OPERATORs and VIEWERs cannot', async () => {
    const made = await createUser(acmeAdmin, acme.id, 'second-ops', 'OPERATOR');
    expect(made.__typename).toBe('CreateUserSuccess');
    expect((await whoami(made.token!)).data!.viewer.name).toBe('second-ops');
    expect(await createUser(acme.operator, acme.id, 'nope', 'VIEWER')).toMatchObject({ __typename: 'Forbidden' });
    const list = await t.gql(acmeAdmin, `{ users { name role } }`);
    expect(list.data!.users.map((u: { name: string }) => u.name)).toEqual(['acme-admin', 'operator-1', 'second-ops', 'viewer-1']);
    // Others see themselves only.
    const mine = await t.gql(acme.viewer, `{ users { name } }`);
    expect(mine.data!.users).toEqual([{ name: 'viewer-1' }]);
  });

  it('reads its own audit trail, never the other tenant’s', async () => {
    const records = await t.gql(acmeAdmin, `{ auditRecords(first: 100) { edges { node { tenant resourceName } } } }`);
    const nodes = records.data!.auditRecords.edges.map((e: { node: { tenant: string; resourceName: string | null } }) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      expect(n.tenant).not.toBe(victim.name);
      expect(n.resourceName).not.toBe(victim.name);
    }
    // Its failed attempts on the victim are in its own trail, not in the victim's.
    const victimTrail = await t.gql(victim.viewer, `{ auditRecords(first: 100) { edges { node { user tenant } } } }`);
    const users = victimTrail.data!.auditRecords.edges.map((e: { node: { user: string; tenant: string } }) => `${e.node.tenant}/${e.node.user}`);
    expect(users).not.toContain(`${acme.name}/acme-admin`);
    expect(users).toContain('default/admin');
  });
});

describe('tokens with a life', () => {
  it('are made by their user (shown once), listed without their value, and work at once', async () => {
    const me = (await whoami(acme.operator)).data!.viewer;
    const made = await t.gql(acme.operator, CREATE_TOKEN, { input: { userId: me.id, name: 'ci', expiresInDays: 30 } });
    const result = made.data!.createToken;
    expect(result.__typename).toBe('CreateTokenSuccess');
    expect(result.token).toMatch(/^aos_/);
    const days = (Date.parse(result.apiToken.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const used = await whoami(result.token);
    expect(used.data!.viewer.name).toBe('operator-1');
    const listed = used.data!.viewer.tokens as { id: string; name: string }[];
    expect(listed.map((x) => x.name)).toEqual(expect.arrayContaining(['created', 'ci']));
    expect(JSON.stringify(used.data)).not.toContain(result.token);
    // lastUsedAt is recorded (to the minute).
    const again = await t.gql(result.token, `{ viewer { tokens { id lastUsedAt } } }`);
    expect(again.data!.viewer.tokens.find((x: { id: string }) => x.id === result.apiToken.id).lastUsedAt).not.toBeNull();
  });

  it('refuse bad input with a ValidationError and make nothing', async () => {
    const me = (await whoami(acme.viewer)).data!.viewer;
    for (const expiresInDays of [0, -1, 3651]) {
      const res = await t.gql(acme.viewer, CREATE_TOKEN, { input: { userId: me.id, name: 'x', expiresInDays } });
      expect(res.data!.createToken.__typename).toBe('ValidationError');
      expect(res.data!.createToken.problems[0].path).toBe('expiresInDays');
    }
    const badName = await t.gql(acme.viewer, CREATE_TOKEN, { input: { userId: me.id, name: '../../etc' } });
    expect(badName.data!.createToken.__typename).toBe('ValidationError');
    const after = (await whoami(acme.viewer)).data!.viewer.tokens;
    expect(after).toHaveLength(1);
  });

  it('of another user are NotFound to an OPERATOR, and to another tenant’s ADMIN', async () => {
    const viewerId = (await whoami(acme.viewer)).data!.viewer.id;
    const forColleague = await t.gql(acme.operator, CREATE_TOKEN, { input: { userId: viewerId, name: 'steal' } });
    expect(forColleague.data!.createToken.__typename).toBe('Forbidden');
    const victimViewer = (await whoami(victim.viewer)).data!.viewer;
    const cross = await t.gql(acmeAdmin, CREATE_TOKEN, { input: { userId: victimViewer.id, name: 'steal' } });
    expect(cross.data!.createToken.__typename).toBe('NotFound');
    const revoke = await t.gql(acmeAdmin, REVOKE, { id: victimViewer.tokens[0].id });
    expect(revoke.data!.revokeToken.__typename).toBe('NotFound');
    const del = await t.gql(acmeAdmin, DELETE_USER, { id: victimViewer.id });
    expect(del.data!.deleteUser.__typename).toBe('NotFound');
    expect((await whoami(victim.viewer)).data!.viewer.name).toBe('viewer-1');
  });

  it('are refused once expired', async () => {
    const me = (await whoami(acme.viewer)).data!.viewer;
    const made = (await t.gql(acme.viewer, CREATE_TOKEN, { input: { userId: me.id, name: 'short', expiresInDays: 1 } })).data!.createToken;
    expect((await whoami(made.token)).status).toBe(200);
    // A day passes.
    await t.app.orm.em.fork().nativeUpdate(ApiTokenSchema, { id: made.apiToken.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await whoami(made.token);
    expect(expired.status).toBe(401);
    expect(expired.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expired.data ?? null).toBeNull();
  });

  it('are refused at once when revoked, by their user or their tenant’s ADMIN', async () => {
    const me = (await whoami(acme.operator)).data!.viewer;
    const own = (await t.gql(acme.operator, CREATE_TOKEN, { input: { userId: me.id, name: 'own' } })).data!.createToken;
    const byAdmin = (await t.gql(acmeAdmin, CREATE_TOKEN, { input: { userId: me.id, name: 'by-admin' } })).data!.createToken;
    expect(byAdmin.__typename).toBe('CreateTokenSuccess');
    expect((await t.gql(acme.operator, REVOKE, { id: own.apiToken.id })).data!.revokeToken).toEqual({ __typename: 'RevokeTokenSuccess', tokenId: own.apiToken.id });
    expect((await t.gql(acmeAdmin, REVOKE, { id: byAdmin.apiToken.id })).data!.revokeToken.__typename).toBe('RevokeTokenSuccess');
    expect((await whoami(own.token)).status).toBe(401);
    expect((await whoami(byAdmin.token)).status).toBe(401);
    // A revoked token cannot be revoked twice, and the user's other tokens still work.
    expect((await t.gql(acme.operator, REVOKE, { id: own.apiToken.id })).data!.revokeToken.__typename).toBe('NotFound');
    expect((await whoami(acme.operator)).status).toBe(200);
  });

  it('all go with their user: deleteUser', async () => {
    const made = await createUser(acmeAdmin, acme.id, 'leaver', 'OPERATOR');
    const extra = (await t.gql(made.token!, CREATE_TOKEN, { input: { userId: made.user!.id, name: 'laptop' } })).data!.createToken;
    expect((await t.gql(acme.operator, DELETE_USER, { id: made.user!.id })).data!.deleteUser.__typename).toBe('Forbidden');
    expect((await t.gql(acmeAdmin, DELETE_USER, { id: acmeAdminId })).data!.deleteUser.__typename).toBe('Forbidden');
    expect((await t.gql(acmeAdmin, DELETE_USER, { id: made.user!.id })).data!.deleteUser).toEqual({ __typename: 'DeleteUserSuccess', userId: made.user!.id });
    expect((await whoami(made.token!)).status).toBe(401);
    expect((await whoami(extra.token)).status).toBe(401);
    const trail = await t.gql(acme.viewer, `{ auditRecords(first: 5, filter: { traceName: "DeleteUser" }) { edges { node { code user resourceName } } } }`);
    expect(trail.data!.auditRecords.edges.map((e: { node: object }) => e.node)).toContainEqual({ code: 200, user: 'acme-admin', resourceName: 'leaver' });
  });

  it('of the platform administrator are managed for any tenant, and show in that tenant’s trail', async () => {
    const victimOps = (await whoami(victim.operator)).data!.viewer;
    const made = (await t.gql(t.adminToken, CREATE_TOKEN, { input: { userId: victimOps.id, name: 'support' } })).data!.createToken;
    expect(made.__typename).toBe('CreateTokenSuccess');
    expect((await t.gql(t.adminToken, REVOKE, { id: made.apiToken.id })).data!.revokeToken.__typename).toBe('RevokeTokenSuccess');
    const trail = await t.gql(victim.viewer, `{ auditRecords(first: 10, filter: { resourceType: "token" }) { edges { node { traceName user tenant } } } }`);
    expect(trail.data!.auditRecords.edges.map((e: { node: { traceName: string } }) => e.node.traceName)).toEqual(['RevokeToken', 'CreateToken']);
  });
});

describe('what one tenant may pile up', () => {
  it('is bounded: users (listed whole) and clusters (each health-checked when listed)', async () => {
    const crowded = await createTenantWithUsers(t, 'crowded');
    const em = t.app.orm.em.fork();
    // Up to one below each limit, written directly: the API would take minutes to get there.
    const users = MAX_USERS_PER_TENANT - 3; // operator-1, viewer-1 and the one made below exist too
    for (let i = 0; i < users; i++) em.create(UserSchema, { id: randomUUID(), tenant: crowded.id, name: `bulk-${i}`, role: 'VIEWER' });
    for (let i = 0; i < MAX_CLUSTERS_PER_TENANT; i++) {
      em.create(ClusterSchema, { id: randomUUID(), tenant: crowded.id, name: `bulk-${i}`, kind: 'DOCKER', endpoint: 'tcp://203.0.113.1:2375', publishAddress: '203.0.113.1', trusted: false });
    }
    await em.flush();
    expect((await createUser(t.adminToken, crowded.id, 'last-one', 'VIEWER')).__typename).toBe('CreateUserSuccess');
    const over = await t.gql(t.adminToken, CREATE_USER, { tenantId: crowded.id, name: 'one-too-many', role: 'VIEWER' });
    expect(over.data!.createUser).toMatchObject({ __typename: 'ValidationError' });
    const cluster = await t.gql(
      t.adminToken,
      `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on ValidationError { problems { code } } } }`,
      { input: { tenantId: crowded.id, name: 'one-too-many', kind: 'DOCKER', endpoint: 'tcp://203.0.113.2:2375' } },
    );
    expect(cluster.data!.registerCluster).toEqual({ __typename: 'ValidationError', problems: [{ code: 'TOO_MANY_CLUSTERS' }] });
    expect(await em.fork().count(UserSchema, { tenant: crowded.id })).toBe(MAX_USERS_PER_TENANT);
  });
});

describe('the secret key', () => {
  it('is required in production: the API and the worker refuse to start without it', async () => {
    for (const entry of ['src/server.ts', 'src/worker.ts']) {
      const env: Record<string, string> = { ...process.env, NODE_ENV: 'production', AOS_PORT: '0' };
      delete env.AOS_SECRET_KEY;
      const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code, entry).not.toBe(0);
      expect(code, entry).not.toBeNull();
      expect(stderr).toMatch(/AOS_SECRET_KEY is not set/);
    }
  });
});
