// runBounded, the runner of one wave's element steps, outside Temporal: it uses no workflow API,
// so plain promises stand in for activities. Delays are counted in microtask turns, so the
// properties explore many interleavings in milliseconds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBounded } from '../../../workflows/saga.js';

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** Runs items with the given delays and records what the runner did. */
async function observe(delays: number[], limit: number, failing: ReadonlySet<number> = new Set()) {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const finished: number[] = [];
  const outcome = await runBounded(delays.map((_, index) => index), limit, async (index) => {
    started.push(index);
    running++;
    peak = Math.max(peak, running);
    await turns(delays[index]);
    running--;
    finished.push(index);
    if (failing.has(index)) throw new Error(`item ${index} failed`);
  }).then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, peak, started, finished, runningWhenSettled: running };
}

const delays = fc.array(fc.nat({ max: 8 }), { maxLength: 40 });
const limits = fc.integer({ min: -2, max: 12 });

describe('runBounded', () => {
  it('runs every item exactly once, in order of start, never more than the bound at once', async () => {
    await fc.assert(
      fc.asyncProperty(delays, limits, async (ds, limit) => {
        const seen = await observe(ds, limit);
        expect(seen.outcome.ok).toBe(true);
        expect(seen.started).toEqual(ds.map((_, index) => index));
        expect([...seen.finished].sort((a, b) => a - b)).toEqual(ds.map((_, index) => index));
        expect(seen.peak).toBeLessThanOrEqual(Math.max(1, limit));
      }),
    );
  });

  it('uses the whole bound when there is enough work', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10 }), async (limit, extra) => {
        // Every task waits a turn, so the first `limit` are all running before any finishes.
        const seen = await observe(Array.from({ length: limit + extra }, () => 1), limit);
        expect(seen.peak).toBe(limit);
      }),
    );
  });

  it('a bound below one still runs everything, one at a time', async () => {
    const seen = await observe([2, 0, 1], 0);
    expect(seen.outcome.ok).toBe(true);
    expect(seen.finished).toEqual([0, 1, 2]);
    expect(seen.peak).toBe(1);
  });

  it('an empty wave resolves without calling the task', async () => {
    const seen = await observe([], 5);
    expect(seen.outcome.ok).toBe(true);
    expect(seen.started).toEqual([]);
  });

  it('after a failure: awaits every started task, then rethrows the first error', async () => {
    await fc.assert(
      fc.asyncProperty(
        delays.filter((ds) => ds.length > 0),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        async (ds, limit, picks) => {
          const failing = new Set(picks.map((pick) => pick % ds.length));
          const seen = await observe(ds, limit, failing);
          expect(seen.outcome.ok).toBe(false);
          // Compensations are registered by started tasks: none may still be running.
          expect(seen.runningWhenSettled).toBe(0);
          expect([...seen.finished].sort((a, b) => a - b)).toEqual([...seen.started].sort((a, b) => a - b));
          const firstFailed = seen.finished.find((index) => failing.has(index));
          expect(seen.outcome.ok ? null : (seen.outcome.error as Error).message).toBe(`item ${firstFailed} failed`);
        },
      ),
    );
  });

  it('stops taking new items once one failed', async () => {
    // One lane: item 1 fails, so items 2.. never start.
    const seen = await observe([0, 0, 0, 0], 1, new Set([1]));
    expect(seen.started).toEqual([0, 1]);
    // Two lanes: item 0 fails at once while item 1 is still running; nothing after item 1 starts.
    const two = await observe([0, 5, 0, 0], 2, new Set([0]));
    expect(two.started).toEqual([0, 1]);
    expect(two.finished).toEqual([0, 1]);
  });
});
