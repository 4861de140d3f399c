// Entry point of an API process (stateless: run as many as needed behind a load balancer).
import { buildApp } from './app.js';

const app = await buildApp();
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
