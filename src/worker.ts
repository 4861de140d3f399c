// Entry point of a worker process: runs workflows and activities from the task queue.
import { loadConfig, secretKeyOf } from './config.js';
import { initORM } from './db/orm.js';
import { createWorkerMetrics } from './observability/metrics.js';
import { startMetricsServer, type MetricsServer } from './observability/metrics-endpoint.js';
import { connectTemporal } from './temporal/client/connection.js';
import { ensureMaintenanceSchedule, runStartupMaintenance } from './temporal/client/maintenance.js';
import { createWorker } from './temporal/worker/worker.js';

const config = loadConfig();
// Before anything connects: in production there is no starting without AOS_SECRET_KEY.
secretKeyOf(config);
const orm = await initORM(config.databaseUrl);
const metrics = createWorkerMetrics();
const { worker, connection } = await createWorker({ orm, config }, { metrics });
// Before polling: a port already taken stops the worker here, not after it took tasks.
let metricsServer: MetricsServer | null = null;
if (config.workerMetricsPort > 0) {
  metricsServer = await startMetricsServer({ registry: metrics.registry, token: config.metricsToken }, { host: config.workerMetricsHost, port: config.workerMetricsPort }).catch((error: unknown) => {
    throw new Error(`the worker's metrics server cannot listen on ${config.workerMetricsHost}:${config.workerMetricsPort} (${(error as Error).message}): set AOS_WORKER_METRICS_PORT to a free port, or 0 for none`);
  });
  console.log(`[worker] metrics on ${metricsServer.url}${config.metricsToken ? ' (AOS_METRICS_TOKEN required)' : ' (loopback clients only)'}`);
}
const temporal = await connectTemporal(config);

const running = worker.run();
console.log(`[worker] polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);

const startup = await runStartupMaintenance(temporal.client, config.taskQueue);
console.log(`[worker] start-up workflow done: database time ${startup.databaseTime}, ${startup.auditRecordsPurged} expired audit records and ${startup.deletedStacksPurged ?? 0} expired deleted stacks purged`);

await ensureMaintenanceSchedule(temporal.client, config.taskQueue);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    worker.shutdown();
  });
}
await running;
await metricsServer?.close();
await temporal.close();
await connection.close();
await orm.close(true);
console.log('[worker] stopped');
