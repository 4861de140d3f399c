// Input declarations and input values: types, constraints, coercion and masking. Pure.

import { deepEqual, isPlainObject, jsonTypeOf, preview, type JsonType } from './json-values.js';
import { closestName } from './problems.js';
import type { InputSpec } from './types.js';

export const INPUT_TYPES = ['string', 'integer', 'float', 'boolean', 'list', 'map', 'password', 'secret'] as const;
export const SECRET_INPUT_TYPES: ReadonlySet<string> = new Set(['password', 'secret']);
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
export const MAX_INPUTS = 60;
export const SECRET_MASK = '******';

const SCALAR_ENTRY_TYPES = ['string', 'integer', 'float', 'boolean', 'password', 'secret'];
const LENGTH_TYPES: ReadonlySet<string> = new Set(['string', 'password', 'secret', 'list', 'map']);
const NUMERIC_TYPES: ReadonlySet<string> = new Set(['integer', 'float']);
const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'password', 'secret']);
const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isInputType(type: unknown): type is (typeof INPUT_TYPES)[number] {
  return typeof type === 'string' && (INPUT_TYPES as readonly string[]).includes(type);
}

/** The JSON Schema type a value of this input type has. */
export function jsonTypeOfInput(type: string): Exclude<JsonType, 'null'> | undefined {
  switch (type) {
    case 'string':
    case 'password':
    case 'secret':
      return 'string';
    case 'integer':
      return 'integer';
    case 'float':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'list':
      return 'array';
    case 'map':
      return 'object';
    default:
      return undefined;
  }
}

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

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks a value against an input type. With `coerce`, text that spells a number or boolean
 * exactly ("3", "2.5", "true") and numbers/booleans given for text inputs are converted: values
 * often arrive as text from the CLI, forms or environment files. Without `coerce` (defaults written
 * in the template) the value must already have the type.
 */
export function checkInputValue(type: string, value: unknown, options: { coerce: boolean; entryType?: string }): Checked<unknown> {
  const wrong = (): Checked<unknown> => ({ ok: false, message: `expected ${describeType(type)}, got ${describeValue(value)}` });
  switch (type) {
    case 'string':
    case 'password':
    case 'secret':
      if (typeof value === 'string') return { ok: true, value };
      if (options.coerce && (typeof value === 'number' || typeof value === 'boolean')) return { ok: true, value: String(value) };
      return wrong();
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value };
      if (options.coerce && typeof value === 'string' && INTEGER_TEXT.test(value.trim()) && Number.isSafeInteger(Number(value))) {
        return { ok: true, value: Number(value) };
      }
      return wrong();
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (options.coerce && typeof value === 'string' && FLOAT_TEXT.test(value.trim())) return { ok: true, value: Number(value) };
      return wrong();
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (options.coerce && (value === 'true' || value === 'false')) return { ok: true, value: value === 'true' };
      return wrong();
    case 'list': {
      if (!Array.isArray(value)) return wrong();
      if (options.entryType === undefined) return { ok: true, value };
      return checkEntries(value.map((item, index) => [String(index), item] as const), options.entryType, options.coerce, (items) => items.map(([, item]) => item));
    }
    case 'map': {
      if (!isPlainObject(value)) return wrong();
      if (options.entryType === undefined) return { ok: true, value };
      return checkEntries(Object.entries(value), options.entryType, options.coerce, (items) => Object.fromEntries(items));
    }
    default:
      return { ok: false, message: `unknown input type "${type}"` };
  }
}

function checkEntries(
  entries: ReadonlyArray<readonly [string, unknown]>,
  entryType: string,
  coerce: boolean,
  build: (items: Array<[string, unknown]>) => unknown,
): Checked<unknown> {
  const items: Array<[string, unknown]> = [];
  for (const [key, item] of entries) {
    const checked = checkInputValue(entryType, item, { coerce });
    if (!checked.ok) return { ok: false, message: `entry ${key}: ${checked.message}` };
    items.push([key, checked.value]);
  }
  return { ok: true, value: build(items) };
}

function describeType(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'list':
      return 'a list';
    case 'map':
      return 'a mapping';
    default:
      return 'text';
  }
}

function describeValue(value: unknown): string {
  const type = jsonTypeOf(value);
  const article = type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a';
  const name = type === 'array' ? 'list' : type === 'object' ? 'mapping' : type === 'null' ? 'nothing' : type;
  return type === 'null' ? 'nothing (null)' : `${article} ${name} (${preview(value, 40)})`;
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
      const wrong = argument.find((value) => !checkInputValue(type, value, { coerce: false, entryType }).ok);
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

/** Input specs of a document, in declaration order; tolerant of malformed declarations. */
export function inputSpecsOf(doc: unknown): InputSpec[] {
  if (!isPlainObject(doc) || !isPlainObject(doc.inputs)) return [];
  return Object.entries(doc.inputs).map(([name, raw]) => {
    const declaration = isPlainObject(raw) ? raw : {};
    const type = typeof declaration.type === 'string' ? declaration.type : 'string';
    const hasDefault = Object.prototype.hasOwnProperty.call(declaration, 'default');
    const spec: InputSpec = {
      name,
      type,
      immutable: declaration.immutable === true,
      required: typeof declaration.required === 'boolean' ? declaration.required : !hasDefault,
      secret: SECRET_INPUT_TYPES.has(type),
    };
    if (hasDefault) spec.default = declaration.default;
    if (typeof declaration.description === 'string') spec.description = declaration.description;
    if (typeof declaration.label === 'string') spec.label = declaration.label;
    if (Array.isArray(declaration.constraints)) spec.constraints = declaration.constraints.filter(isPlainObject);
    return spec;
  });
}

export function entryTypeOf(declaration: unknown): string | undefined {
  if (!isPlainObject(declaration) || !isPlainObject(declaration.entry_schema)) return undefined;
  const type = declaration.entry_schema.type;
  return typeof type === 'string' && SCALAR_ENTRY_TYPES.includes(type) ? type : undefined;
}

/** Input values with secret ones replaced by the mask; specs may come from `inputSpecsOf` or an API response. */
export function maskSecretInputs(specs: ReadonlyArray<Pick<InputSpec, 'name' | 'secret'>>, values: Record<string, unknown>): Record<string, unknown> {
  const secretNames = new Set(specs.filter((spec) => spec.secret).map((spec) => spec.name));
  const masked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) masked[name] = secretNames.has(name) && value !== null && value !== undefined ? SECRET_MASK : value;
  return masked;
}

/** Constraint arguments that spell a secret value out (`equal: s3cret`); masked for secret inputs. */
export const VALUE_CONSTRAINTS: ReadonlySet<string> = new Set(['equal', 'valid_values']);

/** Input specs for display: secret defaults, and the values secret inputs are compared with, masked. */
export function maskInputSpecs(specs: InputSpec[]): InputSpec[] {
  return specs.map((spec) => {
    if (!spec.secret) return spec;
    const masked: InputSpec = { ...spec };
    if (spec.default !== undefined) masked.default = SECRET_MASK;
    if (spec.constraints !== undefined) {
      masked.constraints = spec.constraints.map((constraint) =>
        Object.fromEntries(Object.entries(constraint).map(([name, argument]) => [name, VALUE_CONSTRAINTS.has(name) ? SECRET_MASK : argument])),
      );
    }
    return masked;
  });
}
