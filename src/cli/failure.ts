// The two ways a command fails: a CliFailure (the action failed, a typed error, an unreachable API:
// exit 1) and a UsageError (the command line is wrong: exit 2).

/** A failure the command reports on stderr as `aos: MESSAGE` (plus detail lines), exit code 1. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
    /** What -o json/yaml prints on stderr: the API's typed error as it came, when there is one. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** Wrong usage: the command says what is wrong, points at its --help and exits 2. */
export class UsageError extends Error {}
