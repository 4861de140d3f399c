import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type AosConfig } from '../../src/config.js';
import { initORM } from '../../src/db/orm.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/client/connection.js';
import { bundleWorkflows, createWorker, type WorkerOptions } from '../../src/temporal/worker/worker.js';

export interface TestWorker {
  config: AosConfig;
  orm: MikroORM;
  temporal: TemporalHandle;
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * A real worker on the test Temporal server, on a task queue of its own so that test files
 * running in parallel never take each other's tasks.
 */
export async function startTestWorker(options: WorkerOptions & { config?: Partial<AosConfig> } = {}): Promise<TestWorker> {
  if (!process.env.TEMPORAL_ADDRESS) throw new Error('run the suite with `npm test`: it starts the test Temporal server');
  const config = loadConfig({ taskQueue: `aos-test-${randomBytes(4).toString('hex')}`, ...options.config });
  const orm = await initORM(config.databaseUrl);
  const bundle = options.bundle ?? (await bundleWorkflows());
  const { worker, connection } = await createWorker({ orm, config }, { ...options, bundle });
  const running = worker.run();
  const temporal = await connectTemporal(config);
  return {
    config,
    orm,
    temporal,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.close();
      await orm.close(true);
    },
  };
}
