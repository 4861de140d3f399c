// A worker as a separate process (the crash test kills it with SIGKILL): the real worker, plus
// the test fault type. Prints "worker-ready" once it polls.
import { loadConfig } from '../../src/config.js';
import { initORM } from '../../src/db/orm.js';
import { createWorker } from '../../src/temporal/worker/worker.js';
import { faultDriver, registerFaultType } from './fault-type.js';

registerFaultType();
const config = loadConfig();
const orm = await initORM(config.databaseUrl);
const { worker } = await createWorker({ orm, config }, { extraDrivers: [faultDriver], timeoutUnitMs: 1000 });
const running = worker.run();
console.log('worker-ready');
process.on('SIGTERM', () => worker.shutdown());
await running;
await orm.close(true);
