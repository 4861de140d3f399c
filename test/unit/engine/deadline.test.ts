// settleWithin, the deadline the drivers and the API put around calls that may hang, on fake time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settleWithin } from '../../../src/domain/deadline.js';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('settleWithin', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('settles with the work when it is in time, without calling onTimeout, and leaves no timer', async () => {
    const onTimeout = vi.fn(() => 'late');
    const settled = settleWithin(() => after(50, 'done'), 100, onTimeout);
    await vi.advanceTimersByTimeAsync(50);
    await expect(settled).resolves.toBe('done');
    expect(onTimeout).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("settles with onTimeout's value when the work is late", async () => {
    const settled = settleWithin(() => after(500, 'done'), 100, () => 'late');
    await vi.advanceTimersByTimeAsync(100);
    await expect(settled).resolves.toBe('late');
  });

  it('rejects with what onTimeout throws', async () => {
    const settled = settleWithin(
      () => after(500, 'done'),
      100,
      () => {
        throw new Error('timed out after 100 ms');
      },
    );
    const outcome = expect(settled).rejects.toThrow('timed out after 100 ms');
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
  });

  it('wins against a timer of the same length inside the work (set after the deadline)', async () => {
    const settled = settleWithin(() => after(100, 'work'), 100, () => 'deadline');
    await vi.advanceTimersByTimeAsync(100);
    await expect(settled).resolves.toBe('deadline');
  });

  it("passes the work's own failure through when it fails in time", async () => {
    const settled = settleWithin(() => Promise.reject(new Error('refused')), 100, () => 'late');
    await expect(settled).rejects.toThrow('refused');
    expect(vi.getTimerCount()).toBe(0);
  });
});
