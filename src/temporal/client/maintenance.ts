import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { MaintenanceResult } from '../../../workflows/maintenance.js';

/** A real workflow at start-up proves that Temporal, this worker and PostgreSQL are wired. */
export async function runStartupMaintenance(client: Client, taskQueue: string): Promise<MaintenanceResult> {
  return client.workflow.execute<() => Promise<MaintenanceResult>>('maintenanceWorkflow', {
    taskQueue,
    workflowId: `aos-maintenance-startup-${Date.now()}`,
    workflowExecutionTimeout: '2 minutes',
  });
}

/** Hourly maintenance; every worker asks for the schedule and the first one creates it. */
export async function ensureMaintenanceSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: 'aos-maintenance',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'maintenanceWorkflow', taskQueue, workflowId: 'aos-maintenance' },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (error) {
    if (!(error instanceof Error && /already/i.test(error.message))) throw error;
  }
}
