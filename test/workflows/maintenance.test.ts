import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../src/db/entities/index.js';
import { startTestWorker, type TestWorker } from '../helpers/temporal.js';

let w: TestWorker;
beforeAll(async () => {
  w = await startTestWorker({ config: { auditRetentionDays: 7 } });
});
afterAll(async () => w?.stop());

describe('maintenance workflow on the real Temporal server', () => {
  it('reaches PostgreSQL from an activity and purges audit records past retention', async () => {
    const em = w.orm.em.fork();
    const base = { tenantId: null, tenantName: 'retention-test', userName: 'x', traceName: 'CreateTemplate', traceStatus: 'normal' as const, code: 200, resourceType: 'template', message: 'm' };
    const oldId = randomUUID();
    const freshId = randomUUID();
    em.create(AuditRecordSchema, { ...base, id: oldId, time: new Date(Date.now() - 8 * 24 * 3600 * 1000) });
    em.create(AuditRecordSchema, { ...base, id: freshId, time: new Date(Date.now() - 6 * 24 * 3600 * 1000) });
    await em.flush();

    const result = await w.temporal.client.workflow.execute('maintenanceWorkflow', {
      taskQueue: w.config.taskQueue,
      workflowId: `maintenance-test-${randomUUID()}`,
      workflowExecutionTimeout: '1 minute',
    });
    expect(result.auditRecordsPurged).toBeGreaterThanOrEqual(1);
    expect(Math.abs(Date.parse(result.databaseTime) - Date.now())).toBeLessThan(60_000);
    const left = await w.orm.em.fork().find(AuditRecordSchema, { id: { $in: [oldId, freshId] } });
    expect(left.map((r) => r.id)).toEqual([freshId]);
  });
});
