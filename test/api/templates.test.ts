import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

const CREATE = `mutation($input: CreateTemplateInput!) {
  createTemplate(input: $input) {
    __typename
    ... on CreateTemplateSuccess { template { id name description latestVersion { version body } versions { version } } }
    ... on Error { message code }
    ... on ValidationError { problems { code path line column message hint } }
    ... on QuotaExceeded { limit }
  }
}`;
const ADD_VERSION = `mutation($input: CreateTemplateVersionInput!) {
  createTemplateVersion(input: $input) {
    __typename
    ... on CreateTemplateVersionSuccess { template { id latestVersion { version } versions { version } } }
    ... on Error { message code }
    ... on ValidationError { problems { code line column } }
  }
}`;
const DELETE = `mutation($id: ID!) { deleteTemplate(input: { templateId: $id }) { __typename ... on DeleteTemplateSuccess { templateId } ... on Error { code } } }`;

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
const body = quickstartTemplate();

beforeAll(async () => {
  t = await startTestApp();
  a = await createTenantWithUsers(t, 'tpl-a');
  b = await createTenantWithUsers(t, 'tpl-b');
});
afterAll(async () => t?.close());

async function create(token: string, input: Record<string, unknown>) {
  const res = await t.gql(token, CREATE, { input: { version: '1', body, ...input } });
  return res.data!.createTemplate;
}

describe('templates', () => {
  it('creates a template from the quick-start text, unchanged, and reads it back by id and by name', async () => {
    const name = uniqueName('nginx');
    const created = await create(a.operator, { name, description: 'quick start' });
    expect(created.__typename).toBe('CreateTemplateSuccess');
    expect(created.template.latestVersion).toEqual({ version: '1', body });
    const byId = await t.gql(a.viewer, `query($id: ID) { template(id: $id) { name description } }`, { id: created.template.id });
    expect(byId.data!.template).toEqual({ name, description: 'quick start' });
    const byName = await t.gql(a.viewer, `query($name: String) { template(name: $name) { id } }`, { name });
    expect(byName.data!.template.id).toBe(created.template.id);
  });

  it('adds versions, keeps them unique and in order, and serves the latest', async () => {
    const created = await create(a.operator, { name: uniqueName('versions') });
    const id = created.template.id;
    const v2 = await t.gql(a.operator, ADD_VERSION, { input: { templateId: id, version: '2', body } });
    expect(v2.data!.createTemplateVersion.__typename).toBe('CreateTemplateVersionSuccess');
    expect(v2.data!.createTemplateVersion.template.latestVersion.version).toBe('2');
    expect(v2.data!.createTemplateVersion.template.versions.map((v: { version: string }) => v.version)).toEqual(['1', '2']);
    const again = await t.gql(a.operator, ADD_VERSION, { input: { templateId: id, version: '2', body } });
    expect(again.data!.createTemplateVersion).toMatchObject({ __typename: 'NameTaken', code: 'NAME_TAKEN' });
  });

  it('refuses a duplicate name in the same tenant but allows it in another', async () => {
    const name = uniqueName('dup');
    expect((await create(a.operator, { name })).__typename).toBe('CreateTemplateSuccess');
    expect(await create(a.operator, { name })).toMatchObject({ __typename: 'NameTaken', code: 'NAME_TAKEN' });
    expect((await create(b.operator, { name })).__typename).toBe('CreateTemplateSuccess');
  });

  it('refuses text that is neither YAML nor JSON with a located problem, and stores nothing', async () => {
    const name = uniqueName('bad');
    const res = await create(a.operator, { name, body: 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates: {\n  a: [1, 2\n' });
    expect(res.__typename).toBe('ValidationError');
    expect(res.code).toBe('VALIDATION_FAILED');
    expect(res.problems[0].line).toBeGreaterThan(0);
    expect(res.problems[0].column).toBeGreaterThan(0);
    const lookup = await t.gql(a.operator, `query($name: String) { template(name: $name) { id } }`, { name });
    expect(lookup.data!.template).toBeNull();
  });

  it('refuses a body over 1 MiB with TOO_LARGE at line 1, whether stored or only checked, and stores nothing', async () => {
    const name = uniqueName('huge');
    const body = `tosca_definitions_version: ctc_tosca_version_1_0\ndescription: "${'é'.repeat(600 * 1024)}"\n`;
    const res = await create(a.operator, { name, body });
    expect(res.__typename).toBe('ValidationError');
    expect(res.problems).toMatchObject([{ code: 'TOO_LARGE', line: 1, message: expect.stringContaining('at most 1048576 bytes') }]);
    const checked = await t.gql(a.operator, 'query($body: String!) { validateTemplate(body: $body) { valid problems { code line } } }', { body });
    expect(checked.data!.validateTemplate).toEqual({ valid: false, problems: [{ code: 'TOO_LARGE', line: 1 }] });
    const lookup = await t.gql(a.operator, `query($name: String) { template(name: $name) { id } }`, { name });
    expect(lookup.data!.template).toBeNull();
  });

  it('says plainly that tabs cannot indent YAML, with the line', async () => {
    const res = await create(a.operator, {
      name: uniqueName('tabs'),
      body: 'tosca_definitions_version: ctc_tosca_version_1_0\nnode_templates:\n\tapp:\n\t\ttype: CTC.Core.RandomString\n',
    });
    expect(res.__typename).toBe('ValidationError');
    const tab = res.problems.find((p: { code: string }) => p.code === 'YAML_TAB');
    expect(tab).toBeDefined();
    expect(tab.line).toBe(3);
    expect(tab.message).toMatch(/tabs cannot indent YAML/);
  });

  it('validates bad names and versions with a ValidationError', async () => {
    expect(await create(a.operator, { name: 'has spaces' })).toMatchObject({ __typename: 'ValidationError' });
    expect(await create(a.operator, { name: uniqueName('v'), version: '' })).toMatchObject({ __typename: 'ValidationError' });
  });

  it('lists templates newest first with cursors and a name filter', async () => {
    const tenant = await createTenantWithUsers(t, 'tpl-list');
    const names = ['alpha', 'beta', 'gamma'].map((n) => uniqueName(n));
    for (const name of names) expect((await create(tenant.operator, { name })).__typename).toBe('CreateTemplateSuccess');
    const page1 = await t.gql(tenant.viewer, `{ templates(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`);
    const conn = page1.data!.templates;
    expect(conn.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([names[2], names[1]]);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql(tenant.viewer, `query($after: String) { templates(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }`, {
      after: conn.pageInfo.endCursor,
    });
    expect(page2.data!.templates.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([names[0]]);
    expect(page2.data!.templates.pageInfo.hasNextPage).toBe(false);
    const filtered = await t.gql(tenant.viewer, `query($name: String) { templates(name: $name) { edges { node { name } } } }`, { name: names[1].slice(0, 8) });
    expect(filtered.data!.templates.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([names[1]]);
  });

  it('deletes a template; a second delete finds nothing', async () => {
    const created = await create(a.operator, { name: uniqueName('gone') });
    const first = await t.gql(a.operator, DELETE, { id: created.template.id });
    expect(first.data!.deleteTemplate).toEqual({ __typename: 'DeleteTemplateSuccess', templateId: created.template.id });
    const second = await t.gql(a.operator, DELETE, { id: created.template.id });
    expect(second.data!.deleteTemplate).toEqual({ __typename: 'NotFound', code: 'NOT_FOUND' });
  });
});

describe('tenant isolation', () => {
  it("makes another tenant's template not exist, both ways, for reads and changes", async () => {
    const ofA = await create(a.operator, { name: uniqueName('mine') });
    const ofB = await create(b.operator, { name: uniqueName('theirs') });
    for (const [reader, foreign] of [
      [b, ofA],
      [a, ofB],
    ] as const) {
      const read = await t.gql(reader.operator, `query($id: ID) { template(id: $id) { id } }`, { id: foreign.template.id });
      expect(read.data!.template).toBeNull();
      const byName = await t.gql(reader.operator, `query($name: String) { template(name: $name) { id } }`, { name: foreign.template.name });
      expect(byName.data!.template).toBeNull();
      const list = await t.gql(reader.operator, `{ templates(first: 100) { edges { node { id } } } }`);
      expect(list.data!.templates.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(foreign.template.id);
      const del = await t.gql(reader.operator, DELETE, { id: foreign.template.id });
      expect(del.data!.deleteTemplate.__typename).toBe('NotFound');
      const ver = await t.gql(reader.operator, ADD_VERSION, { input: { templateId: foreign.template.id, version: '9', body } });
      expect(ver.data!.createTemplateVersion.__typename).toBe('NotFound');
    }
    const still = await t.gql(a.viewer, `query($id: ID) { template(id: $id) { versions { version } } }`, { id: ofA.template.id });
    expect(still.data!.template.versions).toEqual([{ version: '1' }]);
  });

  it('treats a malformed id as not found, not as a server error', async () => {
    const res = await t.gql(a.operator, DELETE, { id: 'not-a-uuid' });
    expect(res.data!.deleteTemplate.__typename).toBe('NotFound');
  });
});

describe('quotas', () => {
  it('refuses templates past the quota with QuotaExceeded, and counts usage', async () => {
    const tenant = await createTenantWithUsers(t, 'quota');
    const set = await t.gql(t.adminToken, `mutation($id: ID!) { setQuota(input: { tenantId: $id, templates: 2 }) { __typename ... on SetQuotaSuccess { quota { templates stacks templatesUsed } } } }`, {
      id: tenant.id,
    });
    expect(set.data!.setQuota.quota).toEqual({ templates: 2, stacks: 200, templatesUsed: 0 });
    expect((await create(tenant.operator, { name: uniqueName('q') })).__typename).toBe('CreateTemplateSuccess');
    expect((await create(tenant.operator, { name: uniqueName('q') })).__typename).toBe('CreateTemplateSuccess');
    const third = await create(tenant.operator, { name: uniqueName('q') });
    expect(third).toMatchObject({ __typename: 'QuotaExceeded', code: 'QUOTA_EXCEEDED', limit: 2 });
    const quota = await t.gql(tenant.viewer, `{ quota { templates templatesUsed stacks stacksUsed } }`);
    expect(quota.data!.quota).toEqual({ templates: 2, templatesUsed: 2, stacks: 200, stacksUsed: 0 });
  });

  it('holds the quota under concurrent creations', async () => {
    const tenant = await createTenantWithUsers(t, 'quota-race');
    await t.gql(t.adminToken, `mutation($id: ID!) { setQuota(input: { tenantId: $id, templates: 3 }) { __typename } }`, { id: tenant.id });
    const results = await Promise.all(Array.from({ length: 8 }, () => create(tenant.operator, { name: uniqueName('race') })));
    const kinds = results.map((r) => r.__typename);
    expect(kinds.filter((k) => k === 'CreateTemplateSuccess')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'QuotaExceeded')).toHaveLength(5);
  });

  it('gives the default quotas of DESIGN §1 to a new tenant', async () => {
    const tenant = await createTenantWithUsers(t, 'defaults');
    const quota = await t.gql(tenant.viewer, `{ quota { templates stacks } }`);
    expect(quota.data!.quota).toEqual({ templates: 100, stacks: 200 });
  });
});

describe('roles and frozen tenants', () => {
  it('refuses every change from a VIEWER with Forbidden, and lets it read', async () => {
    const res = await create(a.viewer, { name: uniqueName('viewer') });
    expect(res).toMatchObject({ __typename: 'Forbidden', code: 'FORBIDDEN' });
    const read = await t.gql(a.viewer, `{ viewer { name role tenant { id } } }`);
    expect(read.data!.viewer).toEqual({ name: 'viewer-1', role: 'VIEWER', tenant: { id: a.id } });
  });

  it('refuses admin operations to non-admins with Forbidden', async () => {
    const tenant = await t.gql(a.operator, `mutation { createTenant(input: { name: "sneaky" }) { __typename ... on Error { code } } }`);
    expect(tenant.data!.createTenant).toEqual({ __typename: 'Forbidden', code: 'FORBIDDEN' });
    const user = await t.gql(a.operator, `mutation($id: ID!) { createUser(input: { tenantId: $id, name: "x", role: ADMIN }) { __typename } }`, { id: a.id });
    expect(user.data!.createUser.__typename).toBe('Forbidden');
    const quota = await t.gql(a.operator, `mutation($id: ID!) { setQuota(input: { tenantId: $id, templates: 1000 }) { __typename } }`, { id: a.id });
    expect(quota.data!.setQuota.__typename).toBe('Forbidden');
    // Another tenant's id: every cross-tenant attempt is NotFound, so ids do not leak (issue 8).
    const freeze = await t.gql(a.operator, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename } }`, { id: b.id });
    expect(freeze.data!.setTenantState.__typename).toBe('NotFound');
    const freezeOwn = await t.gql(a.operator, `mutation($id: ID!) { setTenantState(input: { tenantId: $id, state: FROZEN }) { __typename } }`, { id: a.id });
    expect(freezeOwn.data!.setTenantState.__typename).toBe('Forbidden');
  });

  it('gives TenantFrozen to every change of a frozen tenant, keeps reads working, and thaws', async () => {
    const tenant = await createTenantWithUsers(t, 'frozen');
    const existing = await create(tenant.operator, { name: uniqueName('before') });
    const setState = `mutation($id: ID!, $state: TenantState!) { setTenantState(input: { tenantId: $id, state: $state }) { __typename ... on SetTenantStateSuccess { tenant { state } } } }`;
    expect((await t.gql(t.adminToken, setState, { id: tenant.id, state: 'FROZEN' })).data!.setTenantState.tenant.state).toBe('FROZEN');
    expect(await create(tenant.operator, { name: uniqueName('during') })).toMatchObject({ __typename: 'TenantFrozen', code: 'TENANT_FROZEN' });
    const ver = await t.gql(tenant.operator, ADD_VERSION, { input: { templateId: existing.template.id, version: '2', body } });
    expect(ver.data!.createTemplateVersion.__typename).toBe('TenantFrozen');
    expect((await t.gql(tenant.operator, DELETE, { id: existing.template.id })).data!.deleteTemplate.__typename).toBe('TenantFrozen');
    const read = await t.gql(tenant.operator, `query($id: ID) { template(id: $id) { name } }`, { id: existing.template.id });
    expect(read.data!.template.name).toBe(existing.template.name);
    await t.gql(t.adminToken, setState, { id: tenant.id, state: 'ACTIVE' });
    expect((await create(tenant.operator, { name: uniqueName('after') })).__typename).toBe('CreateTemplateSuccess');
  });
});
