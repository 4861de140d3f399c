import { buildSchema, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, describe, expect, it } from 'vitest';
import { requestMetricsPlugin } from '../../src/api/request-metrics.js';
import { createApiMetrics, createWorkerMetrics } from '../../src/observability/metrics.js';
import { bearerMatches, isLoopbackAddress, startMetricsServer, type MetricsServer } from '../../src/observability/metrics-endpoint.js';
import { operationLabelsOf } from '../../src/observability/operation-label.js';

const schema = buildSchema(`
  type Query { stacks: [String!]! stack(id: ID!): String }
  type Mutation { createStack(name: String!): String }
  type Subscription { stackEvents: String }
`);

/** Series of one metric in the text format: `name{labels} value` lines, buckets left out. */
function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('the loopback predicate (who may read /metrics without a token)', () => {
  it.each(['127.0.0.1', '127.5.6.7', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3', '::ffff:7f00:1'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });
  it.each(['10.0.0.1', '128.0.0.1', '0.0.0.0', '::', '1::', '::2', '::ffff:10.0.0.1', 'fe80::1', '2001:db8::1', 'localhost', '', undefined, null, '127.0.0.1.evil'])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('the metrics token', () => {
  it('matches only "Bearer <token>" exactly', () => {
    expect(bearerMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(bearerMatches('bearer s3cret', 's3cret')).toBe(true);
    expect(bearerMatches('Bearer s3cret2', 's3cret')).toBe(false);
    expect(bearerMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(bearerMatches('Basic s3cret', 's3cret')).toBe(false);
    expect(bearerMatches('s3cret', 's3cret')).toBe(false);
    expect(bearerMatches(undefined, 's3cret')).toBe(false);
  });
});

describe('operation labels', () => {
  const labels = (query: string, operationName?: string) => operationLabelsOf(schema, parse(query), operationName);
  it('name the first root field, never the alias or the operation name', () => {
    expect(labels('query Anything { mine: stacks stack(id: 1) }')).toEqual({ operation_type: 'query', operation: 'stacks' });
    expect(labels('mutation M { x: createStack(name: "a") }')).toEqual({ operation_type: 'mutation', operation: 'createStack' });
    expect(labels('subscription { stackEvents }')).toEqual({ operation_type: 'subscription', operation: 'stackEvents' });
    expect(labels('{ __typename }')).toEqual({ operation_type: 'query', operation: '__typename' });
  });
  it('look through fragments at the root, and pick the operation asked for', () => {
    expect(labels('query { ... F } fragment F on Query { ... on Query { stack(id: 1) } }')).toEqual({ operation_type: 'query', operation: 'stack' });
    expect(labels('query A { stacks } mutation B { createStack(name: "b") }', 'B')).toEqual({ operation_type: 'mutation', operation: 'createStack' });
  });
  it('never carry a name the schema does not have', () => {
    expect(labels('{ attackerChosen }')).toEqual({ operation_type: 'query', operation: '(unknown)' });
    expect(labels('query A { stacks } query B { stacks }')).toEqual({ operation_type: '(unknown)', operation: '(unknown)' });
    expect(labels('{ ... F } fragment F on Query { ... F }')).toEqual({ operation_type: 'query', operation: '(unknown)' });
  });
});

describe('requestMetricsPlugin in Yoga', () => {
  const metrics = createApiMetrics();
  const yoga = createYoga({
    schema,
    logging: false,
    plugins: [requestMetricsPlugin(metrics)],
  });
  const post = async (query: string, operationName?: string): Promise<number> => {
    const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) });
    await res.text();
    return res.status;
  };

  it('times operations by type and root field; refused documents under "(invalid)"; distinct names and aliases add no series', async () => {
    for (let i = 0; i < 500; i++) {
      await post(`query Op${i} { alias${i}: stacks }`, `Op${i}`);
      await post(`mutation M${i} { a${i}: createStack(name: "n${i}") }`);
      await post(`{ field${i} }`); // validation error
      await post(`{ broken${i} `); // syntax error
    }
    const text = await metrics.registry.metrics();
    const counts = seriesOf(text, 'aos_graphql_request_duration_seconds_count');
    expect(counts.sort()).toEqual([
      'aos_graphql_request_duration_seconds_count{operation_type="(unknown)",operation="(invalid)"} 500',
      'aos_graphql_request_duration_seconds_count{operation_type="mutation",operation="createStack"} 500',
      'aos_graphql_request_duration_seconds_count{operation_type="query",operation="(invalid)"} 500',
      'aos_graphql_request_duration_seconds_count{operation_type="query",operation="stacks"} 500',
    ]);
    expect(text).not.toMatch(/Op1|alias1|field1|broken1/);
  });
});

describe('registries', () => {
  it('are per instance: two apps (or a worker) in one process register the same names without clashing', async () => {
    const a = createApiMetrics();
    const b = createApiMetrics();
    a.messagesSent.inc({ operation: 'stackEvents' });
    expect(await b.registry.getSingleMetricAsString('aos_subscription_messages_total')).not.toContain('stackEvents');
    const text = await createWorkerMetrics().registry.metrics();
    expect(text).toContain('# TYPE aos_workflow_actions_started_total counter');
    // prom-client's process metrics: CPU, resident memory, event-loop lag.
    expect(text).toMatch(/process_cpu_seconds_total|process_resident_memory_bytes/);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('the standalone metrics server (the worker\'s)', () => {
  const servers: MetricsServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it('serves /metrics to loopback without a token, 404 elsewhere, 405 for other methods', async () => {
    const metrics = createWorkerMetrics();
    metrics.actionsStarted.inc({ action: 'INSTALL' });
    const server = await startMetricsServer({ registry: metrics.registry, token: null }, { host: '127.0.0.1', port: 0 });
    servers.push(server);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await res.text()).toContain('aos_workflow_actions_started_total{action="INSTALL"} 1');
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('with a token: none or a wrong one is 401, loopback included; the right one is 200', async () => {
    const metrics = createWorkerMetrics();
    const server = await startMetricsServer({ registry: metrics.registry, token: 'metrics-token-1' }, { host: '127.0.0.1', port: 0 });
    servers.push(server);
    const none = await fetch(server.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(server.url, { headers: { authorization: 'Bearer metrics-token-2' } })).status).toBe(401);
    const right = await fetch(server.url, { headers: { authorization: 'Bearer metrics-token-1' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('aos_workflow_actions_finished_total');
  });
});
