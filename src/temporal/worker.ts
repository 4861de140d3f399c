import { createRequire } from 'node:module';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { AosConfig } from '../config.js';
import { createActivities, type ActivityDeps } from './activities/index.js';

const require = createRequire(import.meta.url);
export const workflowsPath = require.resolve('../../workflows/index.ts');

/** Bundling takes about a second: tests do it once per run and pass the bundle around. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: undefined });
}

export interface WorkerOptions {
  bundle?: WorkflowBundleWithSourceMap;
  /** Extra activities (tests add fault injection here). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}

export async function createWorker(
  deps: ActivityDeps & { config: AosConfig },
  options: WorkerOptions = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: deps.config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: deps.config.temporalNamespace,
    taskQueue: deps.config.taskQueue,
    ...(options.bundle ? { workflowBundle: options.bundle } : { workflowsPath }),
    activities: { ...createActivities(deps), ...options.extraActivities },
  });
  return { worker, connection };
}
