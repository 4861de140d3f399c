import type { TemplateProblem } from './types.js';

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
} as const;

export type ProblemCodeName = (typeof ProblemCode)[keyof typeof ProblemCode];

/** Orders problems the way a reader walks the source: by line, column, then path and code. */
export function sortProblems(problems: TemplateProblem[]): TemplateProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.code}\u0000${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? Number.MAX_SAFE_INTEGER) - (b.column ?? Number.MAX_SAFE_INTEGER) ||
      compareText(a.path, b.path) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function editDistance(a: string, b: string, ceiling: number): number {
  if (Math.abs(a.length - b.length) > ceiling) return ceiling + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      current.push(value);
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > ceiling) return ceiling + 1;
    previous = current;
  }
  return previous[b.length];
}

/** The known name closest to a misspelt one, if any is close enough to be a plausible intent. */
export function closestName(wrong: string, known: Iterable<string>): string | undefined {
  const needle = wrong.toLowerCase();
  const ceiling = Math.max(2, Math.floor(needle.length * 0.4));
  let best: string | undefined;
  let bestDistance = ceiling + 1;
  for (const candidate of known) {
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
  const extensions = [...known].filter((candidate) => candidate.toLowerCase().startsWith(needle));
  return extensions.length === 1 ? extensions[0] : undefined;
}

/** "did you mean X?" when a close name exists, otherwise the list of valid names when it is short. */
export function suggestionHint(wrong: string, known: readonly string[], noun = 'known'): string | undefined {
  const close = closestName(wrong, known);
  if (close !== undefined) return `did you mean "${close}"?`;
  if (known.length === 0) return undefined;
  if (known.length <= 12) return `${noun}: ${known.join(', ')}`;
  return undefined;
}
