// Input declarations and input values: types, coercion, specs and masking. Pure. Constraints on
// values are in input-constraints.ts.

import { isPlainObject, jsonTypeOf, preview, type JsonType } from './json-values.js';
import type { InputSpec } from './types.js';

export const INPUT_TYPES = ['string', 'integer', 'float', 'boolean', 'list', 'map', 'password', 'secret'] as const;
export const SECRET_INPUT_TYPES: ReadonlySet<string> = new Set(['password', 'secret']);
export const MAX_INPUTS = 60;
export const SECRET_MASK = '******';

const SCALAR_ENTRY_TYPES = ['string', 'integer', 'float', 'boolean', 'password', 'secret'];
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
