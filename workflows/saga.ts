import { CancellationScope } from '@temporalio/workflow';

interface Compensation {
  label: string;
  run: () => Promise<void>;
}

/**
 * Compensations registered as steps complete, run last-in-first-out. They run inside a
 * non-cancellable scope so that a cancelled or timed-out action still undoes all it did; a failing
 * compensation does not stop the others, and is reported by label.
 */
export class Saga {
  private readonly compensations: Compensation[] = [];

  add(label: string, run: () => Promise<void>): void {
    this.compensations.push({ label, run });
  }

  get size(): number {
    return this.compensations.length;
  }

  async compensate(): Promise<string[]> {
    return CancellationScope.nonCancellable(async () => {
      const failed: string[] = [];
      while (this.compensations.length > 0) {
        const compensation = this.compensations.pop() as Compensation;
        try {
          await compensation.run();
        } catch {
          failed.push(compensation.label);
        }
      }
      return failed;
    });
  }
}

/**
 * Runs `task` over `items` with at most `limit` at once. Every started task is awaited even after
 * one fails (its compensation must be registered before anyone compensates); the first error is
 * rethrown at the end.
 */
export async function runBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (next < items.length && failure === null) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
