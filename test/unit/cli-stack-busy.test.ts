// The aos CLI (a child process, bin/aos.mjs) on a busy stack: StackBusy names the next step to
// take, and `delete --wait --after-current` queues the delete behind the running action.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const launcher = path.join(repoRoot, 'bin', 'aos.mjs');
const run = promisify(execFile);
/** The install's one element takes this long: time enough for the CLI calls made while it runs. */
const INSTALL_MS = 6_000;

let l: Lifecycle;
let templateId: string;

async function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, AOS_URL: l.t.url, AOS_TOKEN: l.tenant.operator };
  try {
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { cwd: tmpdir(), env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function installing(): Promise<{ id: string; name: string }> {
  const created = await l.createStack({ templateId });
  expect(created.__typename).toBe('CreateStackSuccess');
  expect(created.stack.status).toBe('PROCESSING');
  return created.stack;
}

describe('aos on a busy stack', () => {
  beforeAll(async () => {
    l = await startLifecycle('cli-busy');
    templateId = await l.createTemplate(faultTemplate({ slow: { properties: { sleepMs: INSTALL_MS, sleepOn: ['create'] } } }));
  });
  afterAll(async () => l?.close());

  it('says what runs and the commands to run next: wait, cancel or force-delete', async () => {
    const stack = await installing();
    const refused = await aos('stack', 'delete', stack.name);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `aos: StackBusy: stack "${stack.name}" is busy with INSTALL — wait (aos stack wait ${stack.name}), cancel (aos stack cancel ${stack.name}) or force-delete (aos stack delete ${stack.name} --force)\n`,
    );
    const stop = await aos('stack', 'stop', stack.name);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`is busy with INSTALL — wait (aos stack wait ${stack.name})`);

    const usage = await aos('stack', 'delete', stack.name, '--after-current');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('use it with --wait');
    await l.waitFor(stack.id, undefined, 60_000);
    expect((await l.remove(stack.id)).__typename).toBe('DeleteStackSuccess');
  }, 90_000);

  it('delete --wait --after-current waits for the running install to end, then deletes', async () => {
    const stack = await installing();
    const queued = await aos('stack', 'delete', stack.name, '--wait', '--after-current');
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    expect(queued.stdout).toContain(`${stack.name}: INSTALL is running; the delete waits for it to end`);
    expect(queued.stdout).toMatch(new RegExp(`${stack.name}: delete started\\n[\\s\\S]*${stack.name}: deleted after`));
    // In this order: the install ran to its end, then the delete ran; nothing was cancelled.
    const types = (await l.w.orm.em.fork().getConnection().execute<{ type: string }[]>(`select type from stack_events where stack_id = ? order by seq`, [stack.id])).map((r) => r.type);
    expect(types.filter((type) => type.startsWith('ACTION_') || type === 'STACK_DELETED')).toEqual(['ACTION_STARTED', 'ACTION_COMPLETED', 'ACTION_STARTED', 'STACK_DELETED']);
    expect(types).not.toContain('ELEMENT_CREATE_CANCELLED');
  }, 90_000);
});
