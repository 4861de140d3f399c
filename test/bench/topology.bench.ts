// The server's topology layout (src/topology/): elkjs in its worker thread, for 200 and 1000
// elements (binary trees, each element depending on its parent, as the console's e2e stack), cold
// (a structure not seen yet: laid out by elk) and cached (another stack of the same structure).
// Run: npx vitest bench --run test/bench/topology.bench.ts (or npm run bench -- test/bench/topology.bench.ts)
import { afterAll, bench, describe } from 'vitest';
import { ElkLayoutEngine } from '../../src/topology/elk-engine.js';
import { TopologyLayouts } from '../../src/topology/layouts.js';

const layouts = new TopologyLayouts(new ElkLayoutEngine(), { waitMs: 60_000 });
afterAll(() => layouts.close());

let fresh = 0;
/** `count` elements as a binary tree; a new `prefix` is a structure the cache has not seen. */
function tree(count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}`, dependsOn: i === 0 ? [] : [`${prefix}${Math.floor((i - 1) / 2)}`] }));
}

async function laidOut(elements: ReturnType<typeof tree>): Promise<void> {
  if (!(await layouts.layout(elements))) throw new Error('no layout');
}

for (const size of [200, 1000]) {
  describe(`topology of ${size} elements`, () => {
    const same = tree(size, 'same');
    bench('cold: laid out by elk in the worker', () => laidOut(tree(size, `c${fresh++}-`)), { iterations: size > 500 ? 3 : 5, time: 0, warmupIterations: 1 });
    bench('cached: another stack of the same structure', () => laidOut(same), { setup: () => laidOut(same), time: 500 });
  });
}
