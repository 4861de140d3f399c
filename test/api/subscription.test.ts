import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await createTenantWithUsers(t, 'live');
  other = await createTenantWithUsers(t, 'live-other');
});
afterAll(async () => t?.close());

function wsClient(token: string | null): Client {
  return createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

describe('graphql-ws on 127.0.0.1', () => {
  it('delivers audit records of the tenant as they are written, through LISTEN/NOTIFY', async () => {
    const client = wsClient(tenant.viewer);
    const received: { traceName: string; resourceName: string | null; code: number }[] = [];
    const subscription = client.iterate<{ auditRecorded: { traceName: string; resourceName: string | null; code: number } }>({
      query: 'subscription { auditRecorded { traceName resourceName code } }',
    });
    const collecting = (async () => {
      for await (const message of subscription) {
        received.push(message.data!.auditRecorded);
        if (received.length === 2) break;
      }
    })();
    // The subscription is live once the server acknowledged it; give the LISTEN a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const mine = uniqueName('live');
    const create = `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename } }`;
    await t.gql(other.operator, create, { input: { name: uniqueName('foreign'), version: '1', body: quickstartTemplate() } });
    await t.gql(tenant.operator, create, { input: { name: mine, version: '1', body: quickstartTemplate() } });
    await t.gql(tenant.operator, create, { input: { name: mine, version: '1', body: quickstartTemplate() } });
    await Promise.race([collecting, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(received)}`)), 10_000))]);
    expect(received).toEqual([
      { traceName: 'CreateTemplate', resourceName: mine, code: 200 },
      { traceName: 'CreateTemplate', resourceName: mine, code: 409 },
    ]);
    await client.dispose();
  });

  it('refuses a connection without a valid token', async () => {
    const client = wsClient('aos_notAValidTokenAtAllForThisServer');
    const subscription = client.iterate({ query: 'subscription { auditRecorded { id } }' });
    await expect(subscription.next()).rejects.toBeDefined();
    await client.dispose();
  });
});
