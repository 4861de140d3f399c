// Two API instances, each with its own PostgreSQL pool and LISTEN connection (as two processes
// behind a load balancer would have): a change made through one reaches subscribers of the other.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

let a: TestApp;
let b: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp();
  tenant = await createTenantWithUsers(a, 'two-apis');
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('subscriptions across API instances', () => {
  it('delivers to a client of one instance what was done through the other', async () => {
    const client = createClient({ url: a.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tenant.viewer}` }, retryAttempts: 0 });
    const subscription = client.iterate<{ auditRecorded: { traceName: string; resourceName: string } }>({ query: 'subscription { auditRecorded { traceName resourceName } }' });
    const first = subscription.next();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const name = uniqueName('via-b');
    const created = await b.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename } }`, {
      input: { name, version: '1', body: quickstartTemplate() },
    });
    expect(created.data!.createTemplate.__typename).toBe('CreateTemplateSuccess');
    const message = await Promise.race([first, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('nothing arrived in 10 s')), 10_000))]);
    expect(message.value?.data?.auditRecorded).toEqual({ traceName: 'CreateTemplate', resourceName: name });
    await client.dispose();
  });
});
