// Where the checks put the problems they find: each placed at a line and column when a source map
// is given, capped (past MAX_COLLECTED_PROBLEMS only counted), then sorted.
import { formatPath, type PathSegment } from './path.js';
import { MAX_COLLECTED_PROBLEMS, MAX_PROBLEMS, sortProblems, type FoundProblem } from './problems.js';
import type { SourceMap } from './source-map.js';
import type { TemplateProblem } from './types.js';

export class Reporter {
  readonly problems: FoundProblem[] = [];
  /** Problems found past MAX_COLLECTED_PROBLEMS: counted, not built. */
  uncounted = 0;

  constructor(private readonly sourceMap: SourceMap | undefined) {}

  get full(): boolean {
    return this.problems.length >= MAX_COLLECTED_PROBLEMS;
  }

  /** A hint given as a function is worked out only if the problem is among those listed. */
  add(code: string, path: readonly PathSegment[], message: string, hint?: FoundProblem['hint']): void {
    if (this.full) {
      this.uncounted++;
      return;
    }
    const problem: FoundProblem = { code, path: formatPath(path), message };
    const position = this.sourceMap?.locate(path);
    if (position) {
      problem.line = position.line;
      problem.column = position.column;
    }
    if (hint !== undefined) problem.hint = hint;
    this.problems.push(problem);
  }

  /** The problems found, sorted and capped (see sortProblems). */
  sorted(): TemplateProblem[] {
    return sortProblems(this.problems, MAX_PROBLEMS, this.uncounted);
  }
}
