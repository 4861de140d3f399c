// Waiting that ends early when the activity is cancelled. The error is named AbortError, as Node's
// own APIs name an abort, so a cancellation never reads as an engine failure.

export function cancelled(): Error {
  const error = new Error('cancelled');
  error.name = 'AbortError';
  return error;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
