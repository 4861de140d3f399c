// Input constraints (valid_values, in_range, min_length, pattern, ...): whether a declared list is
// usable for its input's type, and which constraints a value breaks. Pure.
import { SECRET_INPUT_TYPES, checkInputValue } from './inputs.js';
import { deepEqual, isPlainObject, preview } from './json-values.js';
import { closestName } from './problems.js';

export const CONSTRAINT_NAMES = [
  'valid_values',
  'in_range',
  'min_length',
  'max_length',
  'pattern',
  'greater_than',
  'greater_or_equal',
  'less_than',
  'less_or_equal',
  'equal',
] as const;

const LENGTH_TYPES: ReadonlySet<string> = new Set(['string', 'password', 'secret', 'list', 'map']);
const NUMERIC_TYPES: ReadonlySet<string> = new Set(['integer', 'float']);
const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'password', 'secret']);

/**
 * How `pattern` constraints are checked. The engine (RE2, in patterns.ts) is handed in rather than
 * imported, so that this module stays free of packages for the workflows that import it; without
 * an engine, pattern constraints are not checked.
 */
export interface PatternEngine {
  /** Why a pattern is refused (not RE2 syntax, too long, too complex); undefined when it is fine. */
  refusal(pattern: string): { message: string; hint?: string } | undefined;
  /** Whether the whole value matches; a reason when it cannot be checked; undefined for a refused pattern. */
  test(pattern: string, value: string): boolean | string | undefined;
}

export interface ConstraintIssue {
  /** Index of the constraint in the list. */
  index: number;
  message: string;
  hint?: string;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Problems with the constraint list itself (unknown constraint, wrong argument, not applicable to
 * the type). Patterns are checked by the engine, when one is given.
 */
export function constraintDefinitionIssues(type: string, constraints: unknown, entryType?: string, patterns?: PatternEngine): ConstraintIssue[] {
  if (!Array.isArray(constraints)) {
    return [{ index: -1, message: 'constraints must be a list, e.g. `- min_length: 8`' }];
  }
  const issues: ConstraintIssue[] = [];
  constraints.forEach((constraint, index) => {
    const keys = isPlainObject(constraint) ? Object.keys(constraint) : [];
    if (keys.length !== 1) {
      issues.push({ index, message: 'each constraint is a mapping with one key, e.g. `- max_length: 64`' });
      return;
    }
    const name = keys[0];
    const argument = (constraint as Record<string, unknown>)[name];
    if (!(CONSTRAINT_NAMES as readonly string[]).includes(name)) {
      const close = closestName(name, CONSTRAINT_NAMES);
      issues.push({ index, message: `unknown constraint "${name}"`, hint: close ? `did you mean "${close}"?` : `known: ${CONSTRAINT_NAMES.join(', ')}` });
      return;
    }
    if (name === 'pattern' && TEXT_TYPES.has(type) && typeof argument === 'string') {
      const refusal = patterns?.refusal(argument);
      if (refusal !== undefined) issues.push({ index, ...refusal });
      return;
    }
    const problem = constraintArgumentProblem(type, name, argument, entryType);
    if (problem !== undefined) issues.push({ index, message: problem });
  });
  return issues;
}

function constraintArgumentProblem(type: string, name: string, argument: unknown, entryType?: string): string | undefined {
  switch (name) {
    case 'valid_values': {
      if (!Array.isArray(argument) || argument.length === 0) return 'valid_values takes a non-empty list of allowed values';
      const wrong: unknown = (argument as unknown[]).find((value) => !checkInputValue(type, value, { coerce: false, entryType }).ok);
      if (wrong === undefined) return undefined;
      return `valid_values holds ${SECRET_INPUT_TYPES.has(type) ? 'a value' : preview(wrong, 30)}, which is not a valid ${type}`;
    }
    case 'equal':
      return checkInputValue(type, argument, { coerce: false, entryType }).ok ? undefined : `equal needs a ${type} value`;
    case 'in_range':
      if (!NUMERIC_TYPES.has(type)) return `in_range applies to integer and float inputs, not ${type}`;
      if (!Array.isArray(argument) || argument.length !== 2 || !isNumber(argument[0]) || !isNumber(argument[1])) {
        return 'in_range takes two numbers: [min, max]';
      }
      return argument[0] > argument[1] ? `in_range minimum ${argument[0]} is above its maximum ${argument[1]}` : undefined;
    case 'greater_than':
    case 'greater_or_equal':
    case 'less_than':
    case 'less_or_equal':
      if (!NUMERIC_TYPES.has(type)) return `${name} applies to integer and float inputs, not ${type}`;
      return isNumber(argument) ? undefined : `${name} takes a number`;
    case 'min_length':
    case 'max_length':
      if (!LENGTH_TYPES.has(type)) return `${name} applies to string, password, list and map inputs, not ${type}`;
      return typeof argument === 'number' && Number.isSafeInteger(argument) && argument >= 0 ? undefined : `${name} takes a whole number ≥ 0`;
    case 'pattern':
      if (!TEXT_TYPES.has(type)) return `pattern applies to string and password inputs, not ${type}`;
      return typeof argument !== 'string' ? 'pattern takes a regular expression as text' : undefined;
    default:
      return undefined;
  }
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  return undefined;
}

/** Messages for each constraint the value breaks; malformed constraints are skipped (they are reported on their own). */
export function constraintFailures(value: unknown, constraints: unknown, secret = false, patterns?: PatternEngine): string[] {
  if (!Array.isArray(constraints)) return [];
  const shown = secret ? 'the value' : preview(value, 40);
  const failures: string[] = [];
  for (const constraint of constraints) {
    if (!isPlainObject(constraint)) continue;
    const [name] = Object.keys(constraint);
    const argument = constraint[name];
    switch (name) {
      case 'valid_values':
        if (Array.isArray(argument) && !argument.some((allowed) => deepEqual(allowed, value))) {
          failures.push(secret ? 'the value is not one of the valid values' : `${shown} is not one of the valid values ${preview(argument, 80)}`);
        }
        break;
      case 'equal':
        if (!deepEqual(argument, value)) failures.push(secret ? 'the value is not the required value' : `${shown} must equal ${preview(argument, 40)}`);
        break;
      case 'in_range':
        if (Array.isArray(argument) && isNumber(argument[0]) && isNumber(argument[1]) && isNumber(value) && (value < argument[0] || value > argument[1])) {
          failures.push(`${shown} is outside the range ${argument[0]}..${argument[1]}`);
        }
        break;
      case 'greater_than':
        if (isNumber(argument) && isNumber(value) && !(value > argument)) failures.push(`${shown} must be greater than ${argument}`);
        break;
      case 'greater_or_equal':
        if (isNumber(argument) && isNumber(value) && !(value >= argument)) failures.push(`${shown} must be at least ${argument}`);
        break;
      case 'less_than':
        if (isNumber(argument) && isNumber(value) && !(value < argument)) failures.push(`${shown} must be less than ${argument}`);
        break;
      case 'less_or_equal':
        if (isNumber(argument) && isNumber(value) && !(value <= argument)) failures.push(`${shown} must be at most ${argument}`);
        break;
      case 'min_length': {
        const length = lengthOf(value);
        if (typeof argument === 'number' && length !== undefined && length < argument) failures.push(`${secret ? 'the value' : 'length ' + length} is shorter than the minimum length ${argument}`);
        break;
      }
      case 'max_length': {
        const length = lengthOf(value);
        if (typeof argument === 'number' && length !== undefined && length > argument) failures.push(`${secret ? 'the value' : 'length ' + length} is longer than the maximum length ${argument}`);
        break;
      }
      case 'pattern': {
        if (typeof argument !== 'string' || typeof value !== 'string' || patterns === undefined) break;
        const matched = patterns.test(argument, value);
        if (typeof matched === 'string') failures.push(`${secret ? 'the value' : `the value (${value.length} characters)`} ${matched}`);
        else if (matched === false) failures.push(`${shown} does not match the pattern ${preview(argument, 80)}`);
        break;
      }
      default:
        break;
    }
  }
  return failures;
}
