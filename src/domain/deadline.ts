/**
 * What `work()` settles with, or `onTimeout()`'s outcome (its value, or what it throws) when it has
 * not settled within `ms`. The deadline is set before the work starts, so it wins against timers
 * of the same length inside the work (a client's own connect timeout). The timer never outlives
 * the race; the work itself is not stopped — `onTimeout` is where a caller cuts what it holds.
 */
export function settleWithin<T>(work: () => Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, ms);
  });
  return Promise.race([work(), deadline]).finally(() => clearTimeout(timer));
}
