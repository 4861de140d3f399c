// Install and delete of stacks of 10, 100 and 500 CTC.Core.RandomString elements, independent and
// as a chain, on the real Temporal server and PostgreSQL. RandomString does no IO, so what is
// measured is the engine: wall time, overhead per element (against a 1-element stack run in the
// same process, the baseline), and workflow history length. RandomString's driver is quick, so its
// steps are local activities; the "remote" rows use a no-op element type that is not, to show the
// cost of a step that goes through the task queue (every engine-backed driver, e.g. Docker).
// Targets: 100 independent elements installed in under 5 s; under 30 ms of overhead per element
// in a chain; under 10 000 history events for 500 elements.
// Run: npm run bench -- test/bench/lifecycle.bench.ts
import { afterAll, bench, describe } from 'vitest';
import { faultTemplate, startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

const l: Lifecycle = await startLifecycle('bench');
afterAll(async () => l.close());

function elements(count: number, chained: boolean, remote = false): string {
  const nodes = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `r${i}`,
      { ...(remote ? {} : { type: 'CTC.Core.RandomString', properties: { length: 16 } }), ...(chained && i > 0 ? { dependsOn: [`r${i - 1}`] } : {}) },
    ]),
  );
  return faultTemplate(nodes);
}

interface Run {
  installMs: number;
  deleteMs: number;
  installEvents: number;
}

async function installAndDelete(count: number, chained: boolean, remote = false): Promise<Run> {
  const templateId = await l.createTemplate(elements(count, chained, remote));
  const started = performance.now();
  const created = await l.createStack({ templateId, timeoutMinutes: 1440 });
  const id = created.stack.id as string;
  const installed = await l.waitFor(id, undefined, 600_000);
  const installMs = performance.now() - started;
  if (installed.status !== 'NORMAL') throw new Error(`install ended ${installed.status}: ${installed.statusReason}`);
  const history = await l.w.temporal.client.workflow.getHandle(`stack-${id}`).fetchHistory();
  const deleteStarted = performance.now();
  await l.remove(id);
  await l.waitGone(id, 600_000);
  return { installMs, deleteMs: performance.now() - deleteStarted, installEvents: history.events?.length ?? 0 };
}

const baseline = await installAndDelete(1, false);
const rows: string[] = [];
function report(label: string, count: number, run: Run): void {
  const overhead = (run.installMs - baseline.installMs) / Math.max(1, count - 1);
  rows.push(
    `${label.padEnd(23)} install ${run.installMs.toFixed(0).padStart(6)} ms  delete ${run.deleteMs.toFixed(0).padStart(6)} ms  ` +
      `${overhead.toFixed(1).padStart(6)} ms/element over baseline  ×${(run.installMs / baseline.installMs).toFixed(1)} baseline  history ${run.installEvents} events`,
  );
}

describe('stack lifecycle engine', () => {
  for (const count of [10, 100, 500]) {
    for (const chained of [false, true]) {
      const label = `${count} ${chained ? 'chain' : 'independent'}`;
      bench(
        label,
        async () => {
          report(label, count, await installAndDelete(count, chained));
        },
        { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
      );
    }
  }
  for (const chained of [false, true]) {
    const label = `100 ${chained ? 'chain' : 'independent'} remote`;
    bench(
      label,
      async () => {
        report(label, 100, await installAndDelete(100, chained, true));
      },
      { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
    );
  }
});

afterAll(() => {
  console.log(`\nbaseline (1 element): install ${baseline.installMs.toFixed(0)} ms, delete ${baseline.deleteMs.toFixed(0)} ms, history ${baseline.installEvents} events`);
  for (const row of rows) console.log(row);
});
