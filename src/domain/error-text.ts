// The text of an error, for events, statusReasons and logs people read. Pure: the workflows
// (deterministic sandbox) and the activities both use it.

/**
 * The message of `error` (an Error's message, anything else as a string). With `innermost`, the
 * message of the innermost Error of its `cause` chain: Temporal wraps an activity's failure (an
 * ActivityFailure "Activity task failed" whose cause is the activity's own error), and the useful
 * message is the one inside. Activities keep the outer message: a driver's error that wraps a
 * lower-level one says what it was doing.
 */
export function errorText(error: unknown, options: { innermost?: boolean } = {}): string {
  let current: unknown = error;
  if (options.innermost) {
    const seen = new Set<unknown>();
    while (current instanceof Error && current.cause instanceof Error && !seen.has(current)) {
      seen.add(current);
      current = current.cause;
    }
  }
  return current instanceof Error ? current.message : String(error);
}
