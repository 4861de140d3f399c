// How often a waiting element step's heartbeats reach the Temporal server. The SDK sends them at
// most every 0.8 × the heartbeat timeout unless the worker says otherwise (6.4 s of the steps'
// 8 s: 1.6 s of slack, and a step waiting on a Docker stop grace was retried while it still
// waited). The worker's maxHeartbeatThrottleInterval makes it every 2 s; this test reads the
// server's own record of the last heartbeat while one step waits 7 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';
import { stackWorkflowId } from '../../src/temporal/client/stack-workflows.js';

const WAIT_MS = 7_000;
let l: Lifecycle;

describe('a waiting element step', () => {
  beforeAll(async () => {
    l = await startLifecycle('heartbeat');
  });
  afterAll(async () => l?.close());

  it('heartbeats to the server every ~2 s, far inside the 8 s heartbeat timeout, and is not retried', async () => {
    const templateId = await l.createTemplate(faultTemplate({ slow: { properties: { sleepMs: WAIT_MS, sleepOn: ['create'] } } }));
    const created = await l.createStack({ templateId });
    const handle = l.w.temporal.client.workflow.getHandle(stackWorkflowId(created.stack.id));
    const beats = new Set<number>();
    const deadline = Date.now() + WAIT_MS + 20_000;
    while (Date.now() < deadline) {
      const described = await handle.describe();
      if (described.status.name !== 'RUNNING') break;
      for (const activity of described.raw.pendingActivities ?? []) {
        const at = activity.lastHeartbeatTime;
        if (at?.seconds) beats.add(Number(at.seconds) * 1000 + Math.round((at.nanos ?? 0) / 1e6));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const times = [...beats].sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    console.log(`heartbeats seen by the server ${gaps.length + 1} times over a ${WAIT_MS} ms wait; gaps ${gaps.join(', ')} ms`);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps)).toBeLessThan(3_000);
    expect((await l.waitFor(created.stack.id)).status).toBe('NORMAL');
    const started = (await l.events(created.stack.id)).filter((e) => e.type === 'ELEMENT_CREATE_STARTED');
    expect(started.map((e) => e.message)).toEqual(['slow: create started']);
  }, 60_000);
});
