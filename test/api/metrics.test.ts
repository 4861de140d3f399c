import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueName, type TestApp } from '../helpers/app.js';

let open: TestApp;
let guarded: TestApp;
const METRICS_TOKEN = `metrics-${uniqueName('token')}`;

beforeAll(async () => {
  open = await startTestApp();
  guarded = await startTestApp({ metricsToken: METRICS_TOKEN });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

const metricsUrl = (t: TestApp) => t.url.replace(/\/graphql$/, '/metrics');

async function scrape(t: TestApp): Promise<string> {
  const res = await fetch(metricsUrl(t));
  expect(res.status).toBe(200);
  return res.text();
}

/** `series → value` of one metric (the `_count` of a histogram, say). */
function series(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const space = line.lastIndexOf(' ');
    found.set(line.slice(name.length, space), Number(line.slice(space + 1)));
  }
  return found;
}

const COUNT = 'aos_graphql_request_duration_seconds_count';

/** Runs `work(i)` for i < n, `width` at a time. */
async function inParallel(n: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

describe('/metrics on the API', () => {
  it('times queries and mutations by operation type and first root field (loopback, no token needed)', async () => {
    for (let i = 0; i < 3; i++) expect((await open.gql(open.adminToken, '{ viewer { name } }')).data).toBeTruthy();
    const created = await open.gql(open.adminToken, `mutation($name: String!) { createTenant(input: { name: $name }) { __typename } }`, { name: uniqueName('metrics') });
    expect(created.data!.createTenant.__typename).toBe('CreateTenantSuccess');
    expect((await open.gql(open.adminToken, '{ nosuchField }')).errors).toBeTruthy();

    const res = await fetch(metricsUrl(open));
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const counts = series(await res.text(), COUNT);
    expect(counts.get('{operation_type="query",operation="viewer"}')).toBe(3);
    expect(counts.get('{operation_type="mutation",operation="createTenant"}')).toBe(1);
    expect(counts.get('{operation_type="query",operation="(invalid)"}')).toBe(1);
  });

  it("times a subscription's setup (over HTTP, server-sent events)", async () => {
    const abort = new AbortController();
    const res = await fetch(open.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${open.adminToken}` },
      body: JSON.stringify({ query: 'subscription Watch { mine: auditRecorded { id } }' }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    try {
      // Observed once the subscription is in place on the server, while the stream stays open.
      const deadline = Date.now() + 10_000;
      while (!series(await scrape(open), COUNT).has('{operation_type="subscription",operation="auditRecorded"}')) {
        if (Date.now() > deadline) throw new Error('the subscription was never timed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      abort.abort();
    }
    expect(series(await scrape(open), COUNT).get('{operation_type="subscription",operation="auditRecorded"}')).toBe(1);
  });

  it("times a subscription's setup over graphql-ws, and a query on the same socket", async () => {
    const client = createClient({ url: open.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${open.adminToken}` }, retryAttempts: 0, lazy: true });
    try {
      const subscription = client.iterate({ query: 'subscription { ...Live } fragment Live on Subscription { stacksChanged { id } }' });
      const first = subscription.next();
      const deadline = Date.now() + 10_000;
      while (!series(await scrape(open), COUNT).has('{operation_type="subscription",operation="stacksChanged"}')) {
        if (Date.now() > deadline) throw new Error('the subscription was never timed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const before = series(await scrape(open), COUNT).get('{operation_type="query",operation="viewer"}') ?? 0;
      const query = client.iterate({ query: 'query OverTheSocket { me: viewer { name } }' });
      expect((await query.next()).value).toMatchObject({ data: { me: { name: 'admin' } } });
      await query.return?.();
      expect(series(await scrape(open), COUNT).get('{operation_type="query",operation="viewer"}')).toBe(before + 1);
      await subscription.return?.();
      await first;
    } finally {
      await client.dispose();
    }
    expect(series(await scrape(open), COUNT).get('{operation_type="subscription",operation="stacksChanged"}')).toBe(1);
  });

  it('stays bounded: 2 000 requests with distinct operation names, aliases and bad fields add no series', { timeout: 180_000 }, async () => {
    const before = series(await scrape(open), COUNT);
    await inParallel(2_000, 16, async (i) => {
      const query = i % 2 === 0 ? `query Op${i} { alias${i}: viewer { name${i}: name } }` : `query Bad${i} { field${i} }`;
      const res = await fetch(open.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${open.adminToken}` },
        body: JSON.stringify({ query, operationName: i % 2 === 0 ? `Op${i}` : `Bad${i}` }),
      });
      await res.text();
    });
    const text = await scrape(open);
    const after = series(text, COUNT);
    expect(after.get('{operation_type="query",operation="viewer"}')! - before.get('{operation_type="query",operation="viewer"}')!).toBe(1_000);
    expect(after.get('{operation_type="query",operation="(invalid)"}')! - before.get('{operation_type="query",operation="(invalid)"}')!).toBe(1_000);
    expect([...after.keys()].filter((key) => !before.has(key))).toEqual([]);
    expect(after.size).toBeLessThanOrEqual(5);
    expect(text).not.toMatch(/Op1|alias1|Bad1|field1/);
  });

  it('with AOS_METRICS_TOKEN: no token or a wrong one is 401 (even from loopback), the right one 200; the token opens nothing else', async () => {
    const url = metricsUrl(guarded);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${guarded.adminToken}` } })).status).toBe(401);
    const right = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('# TYPE aos_graphql_request_duration_seconds histogram');
    expect((await guarded.gql(METRICS_TOKEN, '{ viewer { name } }')).status).toBe(401);
  });
});
