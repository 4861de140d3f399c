import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { HealthActivities } from '../src/temporal/worker/activities/health.js';

const { checkStackHealth } = proxyActivities<HealthActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 3 },
});

interface MonitorInput {
  stackId: string;
  intervalMs: number;
}

/** Rounds per run before continuing as new, which keeps each run's history short. */
const ROUNDS_PER_RUN = 200;

/** Watches one stack's health every `intervalMs` until the stack is gone or back to INITIAL. */
export async function stackMonitorWorkflow(input: MonitorInput): Promise<void> {
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    await sleep(input.intervalMs);
    try {
      if ((await checkStackHealth({ stackId: input.stackId })).done) return;
    } catch {
      // A failed round is not the end of the watch: the next one may succeed.
    }
  }
  await continueAsNew<typeof stackMonitorWorkflow>(input);
}
