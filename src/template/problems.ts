import { MAX_SHOWN_NAME, formatPath, type PathSegment } from './path.js';
import type { TemplateProblem } from './types.js';

/** Problems listed at most; past it one TOO_MANY_PROBLEMS problem tells how many more there are. */
export const MAX_PROBLEMS = 100;
/**
 * Problems a check keeps to choose the listed ones from (the first by position); past it, problems
 * are only counted: building, locating and sorting 90 000 of them to show 100 is most of the cost.
 * One schema validation (one node's properties, or the document's structure) keeps at most
 * MAX_COLLECTED_SCHEMA_ERRORS, so that its errors cannot crowd out the problems found after it.
 */
export const MAX_COLLECTED_PROBLEMS = 10_000;
export const MAX_COLLECTED_SCHEMA_ERRORS = 1000;
/** Work allowed to did-you-mean searches for one list of problems (edit-distance cells, ~10 ms). */
const HINT_SEARCH_CELLS = 4_000_000;

/** What is left of the did-you-mean work allowed for one list of problems. */
export interface SearchBudget {
  cells: number;
}
/** Messages and hints are cut to this many characters (they may quote the template). */
const MAX_PROBLEM_TEXT = 1000;

/** Every problem code the template language reports. The README lists them with an example each. */
export const ProblemCode = {
  TOO_LARGE: 'TOO_LARGE',
  YAML_SYNTAX: 'YAML_SYNTAX',
  YAML_TAB: 'YAML_TAB',
  JSON_SYNTAX: 'JSON_SYNTAX',
  NOT_A_MAPPING: 'NOT_A_MAPPING',
  MISSING_FIELD: 'MISSING_FIELD',
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  INVALID_VALUE: 'INVALID_VALUE',
  INVALID_NAME: 'INVALID_NAME',
  BAD_VERSION: 'BAD_VERSION',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  INVALID_PROPERTY: 'INVALID_PROPERTY',
  UNDEFINED_INPUT: 'UNDEFINED_INPUT',
  UNDEFINED_NODE: 'UNDEFINED_NODE',
  UNDEFINED_ATTRIBUTE: 'UNDEFINED_ATTRIBUTE',
  UNDEFINED_PROPERTY: 'UNDEFINED_PROPERTY',
  BAD_FUNCTION: 'BAD_FUNCTION',
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  BAD_INPUT_TYPE: 'BAD_INPUT_TYPE',
  BAD_DEFAULT: 'BAD_DEFAULT',
  BAD_CONSTRAINT: 'BAD_CONSTRAINT',
  TOO_MANY_INPUTS: 'TOO_MANY_INPUTS',
  TOO_MANY_ELEMENTS: 'TOO_MANY_ELEMENTS',
  CYCLE: 'CYCLE',
  MISSING_INPUT: 'MISSING_INPUT',
  UNKNOWN_INPUT: 'UNKNOWN_INPUT',
  CONSTRAINT_FAILED: 'CONSTRAINT_FAILED',
  IMMUTABLE_INPUT: 'IMMUTABLE_INPUT',
  /** Resolving the template (inputs applied, get_property copies made) passed the resolution budget. */
  RESOLUTION_TOO_LARGE: 'RESOLUTION_TOO_LARGE',
  /** Always last: how many problems were left out of the list. */
  TOO_MANY_PROBLEMS: 'TOO_MANY_PROBLEMS',
} as const;

/** A problem at `path`, for checks that report at most a few (no source map, no cap). */
export function problemAt(code: string, path: readonly PathSegment[], message: string, hint?: string): TemplateProblem {
  return hint === undefined ? { code, path: formatPath(path), message } : { code, path: formatPath(path), message, hint };
}

export type ProblemCodeName = (typeof ProblemCode)[keyof typeof ProblemCode];

/**
 * A problem as found. Its hint may be a function, worked out only if the problem is among those
 * listed: a did-you-mean search over a thousand names is worth doing a hundred times, not 100 000.
 */
export interface FoundProblem extends Omit<TemplateProblem, 'hint'> {
  hint?: string | ((budget: SearchBudget) => string | undefined);
}

function cut(text: string): string {
  return text.length > MAX_PROBLEM_TEXT ? `${text.slice(0, MAX_PROBLEM_TEXT - 1)}…` : text;
}

/**
 * Orders problems the way a reader walks the source (by line, column, then path and code), drops
 * repeats, and keeps the first `limit`; when more were found, a last TOO_MANY_PROBLEMS problem
 * says how many are left out. `uncounted` problems were found past MAX_COLLECTED_PROBLEMS and only
 * counted (repeats among them included, hence "about").
 */
export function sortProblems(problems: readonly FoundProblem[], limit = MAX_PROBLEMS, uncounted = 0): TemplateProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.code}\u0000${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort(
    (a, b) =>
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? Number.MAX_SAFE_INTEGER) - (b.column ?? Number.MAX_SAFE_INTEGER) ||
      compareText(a.path, b.path) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
  const budget: SearchBudget = { cells: HINT_SEARCH_CELLS };
  const listed: TemplateProblem[] = unique.slice(0, limit).map((found) => {
    const { hint, ...rest } = found;
    const problem: TemplateProblem = { ...rest, message: cut(rest.message) };
    const text = typeof hint === 'function' ? hint(budget) : hint;
    if (text !== undefined) problem.hint = cut(text);
    return problem;
  });
  const more = Math.max(0, unique.length - limit) + uncounted;
  if (more > 0) {
    listed.push({
      code: ProblemCode.TOO_MANY_PROBLEMS,
      path: '',
      message: `… and ${uncounted > 0 ? 'about ' : ''}${more} more problem${more === 1 ? '' : 's'} (only the first ${limit} are listed)`,
      hint: 'fix these and check again',
    });
  }
  return listed;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Two rows of the edit-distance table, reused: names are at most MAX_SHOWN_NAME characters.
let previousRow = new Int32Array(MAX_SHOWN_NAME + 2);
let currentRow = new Int32Array(MAX_SHOWN_NAME + 2);

function editDistance(a: string, b: string, ceiling: number): number {
  if (Math.abs(a.length - b.length) > ceiling) return ceiling + 1;
  for (let j = 0; j <= b.length; j++) previousRow[j] = j;
  for (let i = 1; i <= a.length; i++) {
    currentRow[0] = i;
    let rowMinimum = i;
    const code = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previousRow[j] + 1, currentRow[j - 1] + 1, previousRow[j - 1] + (code === b.charCodeAt(j - 1) ? 0 : 1));
      currentRow[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > ceiling) return ceiling + 1;
    [previousRow, currentRow] = [currentRow, previousRow];
  }
  return previousRow[b.length];
}

/**
 * The known name closest to a misspelt one, if any is close enough to be a plausible intent. With
 * a budget, the search stops (with the best so far) once the budget's work is spent.
 */
export function closestName(wrong: string, known: Iterable<string>, budget?: SearchBudget): string | undefined {
  // No valid name is this long; comparing would cost length² per candidate for nothing.
  if (wrong.length > MAX_SHOWN_NAME) return undefined;
  const needle = wrong.toLowerCase();
  const ceiling = Math.max(2, Math.floor(needle.length * 0.4));
  let best: string | undefined;
  let bestDistance = ceiling + 1;
  for (const candidate of known) {
    if (candidate.length > MAX_SHOWN_NAME) continue;
    if (budget !== undefined && (budget.cells -= needle.length * candidate.length + 1) < 0) break;
    const lower = candidate.toLowerCase();
    if (lower === needle) return candidate;
    const distance = editDistance(needle, lower, ceiling);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || needle.length < 3) return best;
  // Abbreviations ("str", "StatelessApp") are far in edit distance but plainly meant.
  const extensions = [...known].filter((candidate) => candidate.length <= MAX_SHOWN_NAME && candidate.toLowerCase().startsWith(needle));
  return extensions.length === 1 ? extensions[0] : undefined;
}

/** "did you mean X?" when a close name exists, otherwise the list of valid names when it is short. */
export function suggestionHint(wrong: string, known: readonly string[], noun = 'known', budget?: SearchBudget): string | undefined {
  const close = closestName(wrong, known, budget);
  if (close !== undefined) return `did you mean "${close}"?`;
  if (known.length === 0) return undefined;
  if (known.length <= 12) return `${noun}: ${known.join(', ')}`;
  return undefined;
}
