import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/temporal/worker/activities/index.js';

const { purgeExpiredAuditRecords, databaseTime } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

export interface MaintenanceResult {
  databaseTime: string;
  auditRecordsPurged: number;
}

/** Housekeeping, run at worker start-up (proving the wiring) and hourly by a schedule. */
export async function maintenanceWorkflow(): Promise<MaintenanceResult> {
  const time = await databaseTime();
  const purged = await purgeExpiredAuditRecords();
  return { databaseTime: time, auditRecordsPurged: purged };
}
