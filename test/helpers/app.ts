import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../src/app.js';
import type { AosConfig } from '../../src/config.js';

interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface TestApp {
  app: App;
  url: string;
  adminToken: string;
  gql<T = Record<string, any>>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The real app, on a real socket on 127.0.0.1, against the test database `npm test` prepared. */
export async function startTestApp(config: Partial<AosConfig> = {}): Promise<TestApp> {
  const adminToken = process.env.AOS_ADMIN_TOKEN;
  if (!adminToken || !process.env.DATABASE_URL) throw new Error('run the suite with `npm test`: it provisions the test database and token');
  const app = await buildApp({ config: { adminToken, ...config } });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    adminToken,
    async gql(token, query, variables) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResponse;
      return { ...body, status: res.status } as GqlResponse<never>;
    },
    close: () => app.close(),
  };
}

export interface TestTenant {
  id: string;
  name: string;
  operator: string;
  viewer: string;
}

/** A tenant of its own for each test file, so files running in parallel never share rows. */
export async function createTenantWithUsers(t: TestApp, prefix = 'tenant'): Promise<TestTenant> {
  const name = uniqueName(prefix);
  const created = await t.gql(t.adminToken, `mutation($name: String!) { createTenant(input: { name: $name }) { __typename ... on CreateTenantSuccess { tenant { id } } ... on Error { message } } }`, { name });
  const id = created.data?.createTenant?.tenant?.id;
  if (!id) throw new Error(`createTenant failed: ${JSON.stringify(created)}`);
  const user = async (role: string): Promise<string> => {
    const res = await t.gql(
      t.adminToken,
      `mutation($tenantId: ID!, $name: String!, $role: Role!) { createUser(input: { tenantId: $tenantId, name: $name, role: $role }) { __typename ... on CreateUserSuccess { token } ... on Error { message } } }`,
      { tenantId: id, name: `${role.toLowerCase()}-1`, role },
    );
    const token = res.data?.createUser?.token;
    if (!token) throw new Error(`createUser failed: ${JSON.stringify(res)}`);
    return token;
  };
  return { id, name, operator: await user('OPERATOR'), viewer: await user('VIEWER') };
}
