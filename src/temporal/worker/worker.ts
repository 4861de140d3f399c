import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { secretKeyOf, type AosConfig } from '../../config.js';
import { createDriverRegistry } from '../../drivers/registry.js';
import type { ElementDriver } from '../../drivers/types.js';
import type { WorkerMetrics } from '../../observability/metrics.js';
import { SecretBox } from '../../security/secret-box.js';
import { createActivities } from './activities/index.js';

const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('../../../workflows/index.ts');

/** Bundling takes about a second: callers that start many workers bundle once and pass `bundle`. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath });
}

export interface WorkerOptions {
  bundle?: WorkflowBundleWithSourceMap;
  /** Drivers beyond the built-in ones (tests add fault injection). */
  extraDrivers?: readonly ElementDriver[];
  /** Length of one "minute" of a stack timeout (tests shrink it). */
  timeoutUnitMs?: number;
  /** Health check interval in ms (tests shorten it; 0 turns monitoring off). */
  monitorIntervalMs?: number;
  /** Counters of lifecycle actions the activities record (the worker's /metrics). */
  metrics?: WorkerMetrics;
}

export async function createWorker(
  deps: { orm: MikroORM; config: AosConfig },
  options: WorkerOptions = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: deps.config.temporalAddress });
  const activities = createActivities({
    ...deps,
    drivers: createDriverRegistry({ docker: deps.config.docker, kubernetes: deps.config.kubernetes }, options.extraDrivers),
    secrets: new SecretBox(secretKeyOf(deps.config)),
    timeoutUnitMs: options.timeoutUnitMs,
    monitorIntervalMs: options.monitorIntervalMs,
    metrics: options.metrics,
  });
  const worker = await Worker.create({
    connection,
    namespace: deps.config.temporalNamespace,
    taskQueue: deps.config.taskQueue,
    ...(options.bundle ? { workflowBundle: options.bundle } : { workflowsPath }),
    activities,
    maxConcurrentActivityTaskExecutions: 100,
    // Temporal sends an activity's heartbeats at most every 0.8 × its heartbeat timeout (6.4 s of
    // the element steps' 8 s) however often the activity heartbeats: measured on a Docker stop,
    // the server saw +0.15 s, +6.55 s, +12.95 s — 1.6 s of slack, which a slow heartbeat call or
    // a busy server eats, and the step is retried while its first attempt still waits. Every 2 s
    // leaves 6 s of slack.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
  return { worker, connection };
}
