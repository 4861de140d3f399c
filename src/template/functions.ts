// Recognising intrinsic functions and checking their shape. Pure: shared by the validator, the
// resolver and the planner (which runs inside Temporal workflows).

import type { PathSegment } from './path.js';

export const FUNCTION_NAMES = ['get_input', 'get_attribute', 'get_property', 'concat', 'join'] as const;
type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The node reference meaning "the node this value belongs to" in get_property. */
export const SELF = 'SELF';

export interface FunctionCall {
  name: FunctionName;
  args: unknown;
}

const FUNCTION_NAME_SET: ReadonlySet<string> = new Set(FUNCTION_NAMES);

/** A function call is a mapping with exactly one key, that key being a function name. */
export function asFunctionCall(value: unknown): FunctionCall | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let onlyKey: string | undefined;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (onlyKey !== undefined) return undefined;
    onlyKey = key;
  }
  if (onlyKey === undefined || !FUNCTION_NAME_SET.has(onlyKey)) return undefined;
  return { name: onlyKey as FunctionName, args: (value as Record<string, unknown>)[onlyKey] };
}

function isPathSegment(value: unknown): value is PathSegment {
  return (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
}

/** get_input: `name` or `[name, key-or-index…]` (reading into a list or map input). */
export interface InputReference {
  input: string;
  path: PathSegment[];
}

/** get_attribute / get_property: `[node, name, key-or-index…]`. */
export interface NodeReference {
  node: string;
  name: string;
  path: PathSegment[];
}

export type ShapeResult<T> = { ok: true; value: T } | { ok: false; message: string; hint: string };

export function inputReference(args: unknown): ShapeResult<InputReference> {
  if (typeof args === 'string' && args.length > 0) return { ok: true, value: { input: args, path: [] } };
  if (Array.isArray(args) && args.length >= 1 && typeof args[0] === 'string' && args[0].length > 0 && args.slice(1).every(isPathSegment)) {
    return { ok: true, value: { input: args[0], path: args.slice(1) as PathSegment[] } };
  }
  return { ok: false, message: 'get_input takes an input name', hint: 'write `get_input: name` (or `[name, key…]` to read into a list or map)' };
}

export function nodeReference(name: 'get_attribute' | 'get_property', args: unknown): ShapeResult<NodeReference> {
  const what = name === 'get_attribute' ? 'attribute' : 'property';
  if (
    Array.isArray(args) &&
    args.length >= 2 &&
    typeof args[0] === 'string' &&
    args[0].length > 0 &&
    typeof args[1] === 'string' &&
    args[1].length > 0 &&
    args.slice(2).every(isPathSegment)
  ) {
    return { ok: true, value: { node: args[0], name: args[1], path: args.slice(2) as PathSegment[] } };
  }
  return {
    ok: false,
    message: `${name} takes a list: node, ${what}, then optional keys or indexes`,
    hint: `write \`${name}: [node-name, ${what}-name, …]\``,
  };
}

/** concat: a list of parts; join: `[[parts…], delimiter?]`. Parts are scalars or nested functions. */
export function concatParts(args: unknown): ShapeResult<unknown[]> {
  if (Array.isArray(args) && args.length >= 1 && args.every(isStringPart)) return { ok: true, value: args };
  return { ok: false, message: 'concat takes a non-empty list of strings, numbers, booleans or functions', hint: 'write `concat: ["http://", {get_input: host}, ":80"]`' };
}

export function joinArguments(args: unknown): ShapeResult<{ parts: unknown[] | FunctionCall; delimiter: string }> {
  const failure = { ok: false as const, message: 'join takes a list of parts and an optional delimiter', hint: 'write `join: [[a, b, {get_input: c}], ","]`' };
  if (!Array.isArray(args) || args.length < 1 || args.length > 2) return failure;
  const [parts, delimiter = ''] = args as [unknown, unknown];
  if (typeof delimiter !== 'string') return failure;
  if (Array.isArray(parts) && parts.every(isStringPart)) return { ok: true, value: { parts, delimiter } };
  const call = asFunctionCall(parts);
  if (call !== undefined) return { ok: true, value: { parts: call, delimiter } };
  return failure;
}

function isStringPart(part: unknown): boolean {
  return typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean' || asFunctionCall(part) !== undefined;
}

/** Calls `visit` for every function call in `value`, outermost first, with the path where it sits; does not descend into calls. */
export function forEachFunctionCall(
  value: unknown,
  visit: (call: FunctionCall, path: PathSegment[]) => void,
  path: PathSegment[] = [],
): void {
  const call = asFunctionCall(value);
  if (call !== undefined) {
    visit(call, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => forEachFunctionCall(item, visit, [...path, index]));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) forEachFunctionCall(item, visit, [...path, key]);
  }
}

/** Nodes a value refers to through get_attribute / get_property, at any depth (SELF excluded). */
export function referencedNodes(value: unknown, into: Set<string> = new Set()): Set<string> {
  const call = asFunctionCall(value);
  if (call !== undefined) {
    if (call.name === 'get_attribute' || call.name === 'get_property') {
      if (Array.isArray(call.args) && typeof call.args[0] === 'string' && call.args[0] !== SELF) into.add(call.args[0]);
    } else {
      referencedNodes(call.args, into);
    }
    return into;
  }
  if (Array.isArray(value)) for (const item of value) referencedNodes(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) referencedNodes(item, into);
  return into;
}
