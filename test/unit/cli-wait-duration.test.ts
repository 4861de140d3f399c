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
  return (await aosRun(...args)).stdout;
}

async function aosRun(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'aos.mjs'), ...args], { env: { ...process.env, AOS_URL: l.t.url, AOS_TOKEN: l.tenant.operator } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
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

  it('cancel --wait of a cancel that succeeded exits 0 and says the action was undone', async () => {
    const templateId = await l.createTemplate(faultTemplate({ first: {}, slow: { type: FAULT_TYPE, properties: { sleepMs: 8000 }, dependsOn: ['first'] } }));
    const created = await l.createStack({ name: `cancel-${randomBytes(3).toString('hex')}`, templateId });
    await l.waitFor(created.stack.id, (s) => s.elements.some((e) => e.name === 'slow' && e.status === 'CREATE_IN_PROGRESS'), 30_000);
    const cancelled = await aosRun('stack', 'cancel', created.stack.name, '--wait');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/INSTALL cancelled and undone after \d+\.\d s; the stack is INITIAL/);
  });
});
