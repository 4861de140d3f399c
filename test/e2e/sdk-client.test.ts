// The SDK against the real API and worker: typed requests, typed errors, and a stack's event
// stream that resumes after the connection is cut in the middle of an install — every event
// exactly once, in order, none missing.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStackDocument, CreateTemplateDocument, createAosClient, expectSuccess, StackDocument, ViewerDocument, type AosClient, type StackEvent } from '../../src/sdk/index.js';
import { startTcpRelay, type TcpRelay } from '../helpers/host-relay.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

let l: Lifecycle;
let relay: TcpRelay;
let client: AosClient;

describe('the SDK', () => {
  beforeAll(async () => {
    l = await startLifecycle('sdk');
    const api = new URL(l.t.url);
    relay = await startTcpRelay({ listenHost: '127.0.0.1', targetHost: api.hostname, targetPort: Number(api.port), maxAccepted: 200 });
    // Through a relay the test can cut, as a network would.
    client = createAosClient({ url: `http://127.0.0.1:${relay.port}${api.pathname}`, token: l.tenant.operator, webSocketImpl: WebSocket });
  });
  afterAll(async () => {
    await client?.close();
    await relay?.close();
    await l?.close();
  });

  it('answers typed queries and typed errors', async () => {
    const { viewer } = await client.request(ViewerDocument);
    expect(viewer).toMatchObject({ role: 'OPERATOR', tenant: { id: l.tenant.id } });
    const refused = await client.request(CreateTemplateDocument, { input: { name: 'bad', version: '1', body: 'node_templates: {}' } });
    expect(refused.createTemplate.__typename).toBe('ValidationError');
    expect(() => expectSuccess(refused.createTemplate, 'CreateTemplateSuccess')).toThrow(/^ValidationError: /);
  });

  it('follows an install through a cut connection: every event once, in order', async () => {
    // Eight elements one after the other, 300 ms each: about 40 events over 3 seconds.
    const nodes = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`step${i}`, { properties: { sleepMs: 300 }, dependsOn: i > 0 ? [`step${i - 1}`] : [] }]));
    const template = expectSuccess((await client.request(CreateTemplateDocument, { input: { name: 'slow', version: '1', body: faultTemplate(nodes) } })).createTemplate, 'CreateTemplateSuccess');
    const created = expectSuccess((await client.request(CreateStackDocument, { input: { name: 'followed', templateId: template.template.id, deploy: false } })).createStack, 'CreateStackSuccess');
    const stackId = created.stack.id;

    const received: StackEvent[] = [];
    const stream = client.stackEvents(stackId);
    const reading = (async () => {
      for await (const event of stream) {
        received.push(event);
        if (event.type === 'ACTION_COMPLETED' || event.type === 'ACTION_FAILED') break;
      }
    })();
    // The subscription is open once the server counts it; then the install starts.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await l.execute(stackId, 'INSTALL')).__typename).toBe('ExecuteStackActionSuccess');
    const deadline = Date.now() + 20_000;
    while (received.length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const beforeCut = received.length;
    relay.cutAll();
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`stream stalled at ${received.length} events`)), 60_000))]);

    const { stack } = await client.request(StackDocument, { id: stackId });
    expect(stack?.status).toBe('NORMAL');
    const history = (await l.events(stackId)).filter((event) => event.type !== 'STACK_CREATED');
    expect(received.map((event) => `${event.type}:${event.element ?? ''}`)).toEqual(history.map((event) => `${event.type}:${event.element ?? ''}`));
    expect(new Set(received.map((event) => event.id)).size).toBe(received.length);
    console.log(`stream: ${received.length} events, ${beforeCut} before the cut; relay accepted ${relay.accepted()} connections`);
    expect(beforeCut).toBeLessThan(received.length);
    expect(relay.accepted()).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

