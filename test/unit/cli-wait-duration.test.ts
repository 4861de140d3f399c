// `aos stack wait` reports the action's own duration (from its ACTION_STARTED to its last event),
// not how long the command waited: a wait on a stack that finished long ago said "after 0.0 s".
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { FAULT_TYPE } from '../helpers/fault-type.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const run = promisify(execFile);
let l: Lifecycle;

async function aos(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'bin', 'aos.mjs'), ...args], { env: { ...process.env, AOS_URL: l.t.url, AOS_TOKEN: l.tenant.operator } });
  return stdout;
}

describe('aos stack wait', () => {
  beforeAll(async () => {
    l = await startLifecycle('cli-wait');
  });
  afterAll(async () => l?.close());

  it('says how long the action took, however late it is asked', async () => {
    const templateId = await l.createTemplate(faultTemplate({ slow: { type: FAULT_TYPE, properties: { sleepMs: 1200 } } }));
    const created = await l.createStack({ name: `wait-${randomBytes(3).toString('hex')}`, templateId });
    const stack = await l.waitFor(created.stack.id);
    expect(stack.status).toBe('NORMAL');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const line = (await aos('stack', 'wait', stack.name)).trim().split('\n').at(-1) ?? '';
    const took = Number(/after (\d+\.\d) s$/.exec(line)?.[1]);
    // The install slept 1.2 s; the wait came 1.5 s after its end.
    expect(line).toContain('NORMAL (INSTALL COMPLETE)');
    expect(took).toBeGreaterThanOrEqual(1.2);
    expect(took).toBeLessThan(3);
    expect((await aos('stack', 'wait', stack.name)).trim().split('\n').at(-1)).toBe(line);
  });
});
