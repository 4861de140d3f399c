// Replays stored workflow histories (test/workflows/histories/*.json) against today's workflow code:
// a change that would break a running workflow fails here with a determinism error.
// AOS_RECORD_HISTORIES=1 npm test -- test/workflows/replay.test.ts records them anew from real runs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { bundleWorkflows } from '../../src/temporal/worker/worker.js';
import { faultTemplate, startLifecycle } from '../helpers/lifecycle.js';

const dir = path.join(repoRoot, 'test', 'workflows', 'histories');
const recording = process.env.AOS_RECORD_HISTORIES === '1';

describe.runIf(recording)('recording histories', () => {
  it('records install, update, rollback and cancel from real runs', async () => {
    const l = await startLifecycle('record');
    const save = async (name: string, stackId: string) => {
      const history = await l.w.temporal.client.workflow.getHandle(`stack-${stackId}`).fetchHistory();
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}.json`), historyToJSON(history));
    };
    try {
      const v1 = faultTemplate({ base: { properties: { revision: 'v1' } }, secret: { type: 'CTC.Core.RandomString' }, app: { properties: { revision: 'v1' }, dependsOn: ['base', 'secret'] } });
      const templateId = await l.createTemplate(v1);
      const { stack } = await l.createStack({ templateId });
      await l.waitFor(stack.id);
      await save('install', stack.id);
      await l.addVersion(templateId, '2', faultTemplate({ base: { properties: { revision: 'v2' } }, extra: { dependsOn: ['base'] } }));
      await l.update(stack.id, { templateVersion: '2' });
      await l.waitFor(stack.id);
      await save('update', stack.id);

      const failing = await l.createTemplate(faultTemplate({ one: {}, two: { dependsOn: ['one'] }, bad: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['two'] } }));
      const rolled = await l.createStack({ templateId: failing });
      await l.waitFor(rolled.stack.id);
      await save('install-rollback', rolled.stack.id);

      const updFail = await l.createStack({ templateId });
      await l.waitFor(updFail.stack.id);
      await l.addVersion(templateId, '3', faultTemplate({ base: { properties: { revision: 'v3' } }, broken: { properties: { failOn: ['create'], permanent: true }, dependsOn: ['base'] } }));
      await l.update(updFail.stack.id, { templateVersion: '3' });
      await l.waitFor(updFail.stack.id);
      await save('update-rollback', updFail.stack.id);

      const slow = await l.createTemplate(faultTemplate({ a: {}, b: { properties: { sleepMs: 10_000 }, dependsOn: ['a'] } }));
      const cancelled = await l.createStack({ templateId: slow });
      await l.waitFor(cancelled.stack.id, (s) => s.elements.some((e) => e.name === 'b' && e.status === 'CREATE_IN_PROGRESS'));
      await l.cancel(cancelled.stack.id);
      await l.waitFor(cancelled.stack.id);
      await save('install-cancelled', cancelled.stack.id);
    } finally {
      await l.close();
    }
  }, 120_000);
});

describe('stored histories', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('cover install, update and rollback', () => {
    expect(files).toEqual(expect.arrayContaining(['install.json', 'update.json', 'install-rollback.json', 'update-rollback.json']));
  });

  it.each(files)('%s replays without a determinism error', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const workflowBundle = await bundleWorkflows();
    await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
  });
});
