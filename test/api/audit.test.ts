import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

const RECORDS = `query($filter: AuditFilter, $first: Int) {
  auditRecords(first: $first, filter: $filter) {
    edges { node { id traceName traceStatus code user tenant resourceType resourceId resourceName sourceIp request message time } }
    pageInfo { hasNextPage endCursor }
  }
}`;

let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;
let templateId: string;
const name = uniqueName('audited');

beforeAll(async () => {
  t = await startTestApp();
  tenant = await createTenantWithUsers(t, 'audit');
  other = await createTenantWithUsers(t, 'audit-other');
  const create = `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } } }`;
  const ok = await t.gql(tenant.operator, create, { input: { name, version: '1', body: quickstartTemplate() } });
  templateId = ok.data!.createTemplate.template.id;
  await t.gql(tenant.operator, create, { input: { name, version: '1', body: quickstartTemplate() } }); // NameTaken
  await t.gql(tenant.viewer, create, { input: { name: uniqueName('nope'), version: '1', body: quickstartTemplate() } }); // Forbidden
  await t.gql(tenant.operator, `mutation($id: ID!) { createTemplateVersion(input: { templateId: $id, version: "2", body: "a: [" }) { __typename } }`, { id: templateId });
  await t.gql(tenant.operator, `mutation($id: ID!) { deleteTemplate(input: { templateId: $id }) { __typename } }`, { id: templateId });
});
afterAll(async () => t?.close());

type Rec = { traceName: string; resourceType: string; traceStatus: string; code: number; user: string; tenant: string; resourceId: string | null; resourceName: string | null; sourceIp: string | null; request: Record<string, unknown>; message: string; time: string };
async function records(token: string, filter: Record<string, unknown> = {}, first = 50): Promise<Rec[]> {
  const res = await t.gql(token, RECORDS, { filter, first });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.auditRecords.edges.map((e: { node: Rec }) => e.node);
}

describe('audit records', () => {
  it('records every mutation, failed ones included, newest first, with CTS-like fields', async () => {
    const mine = await records(tenant.viewer, { resourceType: 'template' });
    expect(mine.map((r) => `${r.traceName}:${r.code}`)).toEqual(['DeleteTemplate:200', 'UpdateTemplate:400', 'CreateTemplate:403', 'CreateTemplate:409', 'CreateTemplate:200']);
    const [deleted, , forbidden, taken, created] = mine;
    expect(created).toMatchObject({ traceStatus: 'normal', user: 'operator-1', tenant: tenant.name, resourceId: templateId, resourceName: name, sourceIp: '127.0.0.1' });
    expect(taken).toMatchObject({ traceStatus: 'warning', code: 409 });
    expect(taken.message).toMatch(/NAME_TAKEN/);
    expect(forbidden).toMatchObject({ traceStatus: 'warning', user: 'viewer-1' });
    expect(deleted.resourceId).toBe(templateId);
    for (let i = 1; i < mine.length; i++) expect(Date.parse(mine[i - 1].time)).toBeGreaterThanOrEqual(Date.parse(mine[i].time));
  });

  it('keeps the request, with secrets masked', async () => {
    const created = (await records(tenant.viewer, { traceName: 'CreateTemplate' })).at(-1)!;
    expect(created.request).toMatchObject({ name, version: '1' });
    const userRecord = (await records(t.adminToken, { resourceType: 'user', resourceName: 'operator-1', traceName: 'UpdateTenantState' }))[0];
    expect(userRecord).toBeDefined();
    expect(JSON.stringify(userRecord.request)).not.toContain(tenant.operator);
  });

  it('filters by every field of AuditFilter', async () => {
    expect((await records(tenant.viewer, { traceName: 'CreateTemplate' })).map((r) => r.code)).toEqual([403, 409, 200]);
    expect((await records(tenant.viewer, { traceStatus: 'warning' })).map((r) => r.code)).toEqual([400, 403, 409]);
    expect((await records(tenant.viewer, { user: 'viewer-1' })).map((r) => r.code)).toEqual([403]);
    expect((await records(tenant.viewer, { resourceId: templateId })).map((r) => r.traceName)).toEqual(['DeleteTemplate', 'UpdateTemplate', 'CreateTemplate']);
    expect((await records(tenant.viewer, { resourceName: name })).map((r) => r.traceName)).toEqual(['DeleteTemplate', 'CreateTemplate', 'CreateTemplate']);
    expect((await records(tenant.viewer, { resourceType: 'template' })).length).toBe(5);
    const all = await records(tenant.viewer);
    const oldest = all.at(-1)!.time;
    const newest = all[0].time;
    expect((await records(tenant.viewer, { from: newest })).length).toBeGreaterThanOrEqual(1);
    expect((await records(tenant.viewer, { to: oldest })).map((r) => r.code)).toContain(200);
    expect(await records(tenant.viewer, { to: new Date(Date.parse(oldest) - 60_000).toISOString() })).toEqual([]);
  });

  it("shows a tenant only its own records; the platform administrator sees every tenant's", async () => {
    expect(await records(other.viewer, { resourceId: templateId })).toEqual([]);
    expect((await records(t.adminToken, { resourceId: templateId })).length).toBe(3);
    // Neither the other tenant's records nor the administrator's work on the other tenant.
    const seen = await records(tenant.viewer, {}, 100);
    expect(seen.some((r) => r.tenant === other.name || r.resourceName === other.name)).toBe(false);
  });

  it("shows the platform administrator's actions on a tenant in that tenant's own trail", async () => {
    const done = await records(tenant.viewer, { traceName: 'UpdateTenantState' });
    expect(done.map((r) => `${r.resourceType}:${r.resourceName}`).sort()).toEqual([`tenant:${tenant.name}`, 'user:operator-1', 'user:viewer-1']);
    for (const r of done) expect(r).toMatchObject({ user: 'admin', tenant: 'default', code: 200 });
  });

  it('records admin changes as UpdateTenantState', async () => {
    const adminRecords = await records(t.adminToken, { traceName: 'UpdateTenantState', resourceName: tenant.name });
    expect(adminRecords.map((r) => r.resourceType)).toContain('tenant');
  });

  it('pages with cursors', async () => {
    const first = await t.gql(tenant.viewer, RECORDS, { first: 2 });
    const conn = first.data!.auditRecords;
    expect(conn.edges).toHaveLength(2);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(tenant.viewer, `query($after: String) { auditRecords(first: 10, after: $after) { edges { node { traceName } } } }`, { after: conn.pageInfo.endCursor });
    // 5 of the tenant's own and 3 of the administrator's on it (the tenant and its two users).
    expect(next.data!.auditRecords.edges).toHaveLength(6);
  });
});
