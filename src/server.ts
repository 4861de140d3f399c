// Entry point of an API process (stateless: run as many as needed behind a load balancer).
import { buildApp } from './app.js';
import { loadConfig, secretKeyOf } from './config.js';
import { ensureLocalDockerCluster, LOCAL_CLUSTER } from './services/local-cluster.js';

// Before anything connects: in production there is no starting without AOS_SECRET_KEY.
secretKeyOf(loadConfig());
const app = await buildApp();
const localDocker = process.env.AOS_LOCAL_DOCKER_HOST;
if (localDocker) {
  await ensureLocalDockerCluster(app.orm.em.fork(), localDocker);
  console.log(`[api] cluster "${LOCAL_CLUSTER}" of tenant "default" is the Docker engine at ${localDocker}`);
}
const url = await app.listen();
console.log(`[api] listening on ${url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[api] close failed', error);
        process.exit(1);
      },
    );
  });
}
