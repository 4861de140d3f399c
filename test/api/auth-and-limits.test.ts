import type { GraphQLError } from 'graphql';
import pg from 'pg';
import { maskError } from '../../src/api/errors.js';
import { NotFound } from '../../src/domain/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await createTenantWithUsers(t, 'auth');
});
afterAll(async () => t?.close());

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.operator}`, ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('authentication', () => {
  it.each([
    ['no header', null],
    ['an unknown token', 'aos_thisTokenWasNeverHandedOutByAnyone123'],
    ['a malformed token', 'not a token!'],
  ])('answers %s with UNAUTHENTICATED (401) and nothing else', async (_label, token) => {
    const res = await t.gql(token, `{ viewer { name } }`);
    expect(res.status).toBe(401);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a mutation without a token and changes nothing', async () => {
    const res = await t.gql(null, `mutation { createTenant(input: { name: "anonymous-tenant" }) { __typename } }`);
    expect(res.status).toBe(401);
    const tenants = await t.gql(t.adminToken, `{ tenants { name } }`);
    expect(tenants.data!.tenants.map((x: { name: string }) => x.name)).not.toContain('anonymous-tenant');
  });

  it('stores tokens as digests, never in clear', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const clear = await client.query('select count(*)::int as n from api_tokens where token_hash = $1', [tenant.operator]);
      expect(clear.rows[0].n).toBe(0);
      const hashed = await client.query(`select count(*)::int as n from api_tokens where token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [tenant.operator]);
      expect(hashed.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('hands a token out once: the user query never shows it', async () => {
    const res = await t.gql(tenant.operator, `{ viewer { id name role } }`);
    expect(JSON.stringify(res)).not.toContain(tenant.operator);
    expect(res.data!.viewer.role).toBe('OPERATOR');
  });
});

describe('request limits', () => {
  it('refuses a query deeper than the limit', async () => {
    let selection = 'id';
    for (let i = 0; i < 14; i++) selection = `tenant { ${selection} }`;
    const res = await t.gql(tenant.operator, `{ viewer { ${selection} } }`);
    expect(res.errors?.some((e) => /depth limit of 12 exceeded/.test(e.message) && e.extensions?.code === 'QUERY_TOO_COMPLEX')).toBe(true);
    expect(res.data ?? null).toBeNull();
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const res = await t.gql(tenant.operator, `{ ${aliases} }`);
    expect(res.errors?.[0].message).toMatch(/Aliases limit of 20 exceeded/);
    expect(res.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.data ?? null).toBeNull();
  });

  it('refuses a query whose cost (page sizes multiplied) is too high', async () => {
    const res = await t.gql(tenant.operator, `{ auditRecords(first: 100) { edges { node { id } } } templates(first: 100) { edges { node { versions { id } latestVersion { id } } } } a: templates(first: 100) { edges { node { versions { id } } } } }`);
    expect(res.errors).toBeUndefined();
    const costly = Array.from({ length: 15 }, (_, i) => `t${i}: templates(first: 100) { edges { node { versions { id body createdAt } } } }`).join(' ');
    const refused = await t.gql(tenant.operator, `{ ${costly} }`);
    expect(refused.errors?.[0].message).toMatch(/query cost exceeds the limit of 20000/);
    expect(refused.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers a malformed JSON body with 400 and a clear message', async () => {
    const res = await post('{"query": "{ viewer { id } }"');
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions?.code).toBe('MALFORMED_JSON');
  });

  it('answers an oversized body with 413 before reading it all', async () => {
    const big = JSON.stringify({ query: `{ viewer { id } }`, variables: { pad: 'x'.repeat(3 * 1024 * 1024) } });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(res.body.errors![0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses batched requests', async () => {
    const res = await post(JSON.stringify([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]));
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions?.code).toBe('BATCHING_DISABLED');
  });

  it('answers a forged cursor with a clear error, not a server error', async () => {
    const res = await t.gql(tenant.operator, `{ templates(first: 5, after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/cursor/);
  });

  it('masks unexpected errors: no message, no stack', () => {
    const masked = maskError(new Error('connection to 10.0.0.1 refused at db.ts:42'), 'Unexpected error.', false);
    expect(masked.message).toBe('Unexpected error.');
    expect(JSON.stringify(masked)).not.toMatch(/10\.0\.0\.1|db\.ts/);
    const expected = maskError(new NotFound('template', 'x'), 'Unexpected error.', false) as GraphQLError;
    expect(expected.extensions.code).toBe('NOT_FOUND');
  });

  it('answers introspection in development', async () => {
    const res = await t.gql(tenant.operator, `{ __schema { queryType { name } } }`);
    expect(res.data!.__schema.queryType.name).toBe('Query');
  });
});

describe('production mode', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ production: true });
  });
  afterAll(async () => prod?.close());

  it('turns introspection and GraphiQL off', async () => {
    const res = await prod.gql(prod.adminToken, `{ __schema { queryType { name } } }`);
    expect(res.errors?.[0].message).toMatch(/introspection/i);
    const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    const dev = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(await dev.text()).toMatch(/graphiql/i);
  });
});
