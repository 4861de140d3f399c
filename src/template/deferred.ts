// Values that can only be known once elements are deployed: `get_attribute` references, and
// concat/join over them. Pure: workflows evaluate outputs with it.

import { asFunctionCall, concatParts, joinArguments, nodeReference } from './functions.js';
import { cloneJson, isPlainObject } from './json-values.js';
import type { PathSegment } from './path.js';

export type AttributesOf = (node: string) => Record<string, unknown> | undefined;

/** How a part of concat/join becomes text: JSON for lists and mappings, '' for null. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function combineConcat(parts: readonly unknown[]): string {
  return parts.map(textOf).join('');
}

export function combineJoin(parts: readonly unknown[], delimiter: string): string {
  return parts.map(textOf).join(delimiter);
}

/** True when the value still holds a get_attribute reference anywhere. */
export function isDeferred(value: unknown): boolean {
  const call = asFunctionCall(value);
  if (call?.name === 'get_attribute') return true;
  if (call !== undefined) return isDeferred(call.args);
  if (Array.isArray(value)) return value.some(isDeferred);
  if (isPlainObject(value)) return Object.values(value).some(isDeferred);
  return false;
}

export interface AttributeReference {
  node: string;
  attribute: string;
  path: PathSegment[];
}

/** Every get_attribute reference inside the value. */
export function deferredReferences(value: unknown, into: AttributeReference[] = []): AttributeReference[] {
  const call = asFunctionCall(value);
  if (call?.name === 'get_attribute') {
    const reference = nodeReference('get_attribute', call.args);
    if (reference.ok) into.push({ node: reference.value.node, attribute: reference.value.name, path: reference.value.path });
    return into;
  }
  if (call !== undefined) return deferredReferences(call.args, into);
  if (Array.isArray(value)) for (const item of value) deferredReferences(item, into);
  else if (isPlainObject(value)) for (const item of Object.values(value)) deferredReferences(item, into);
  return into;
}

/** Follows keys and indexes into a value; undefined when the path leads nowhere. */
export function valueAtPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current) && typeof segment === 'string' && Object.prototype.hasOwnProperty.call(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * Substitutes get_attribute references with the deployed elements' attributes and evaluates the
 * concat/join calls that become complete. A reference whose node or attribute is not (yet) known
 * stays as it is, so `isDeferred(result)` tells whether anything is still missing.
 */
export function evaluateDeferred(value: unknown, attributesOf: AttributesOf): unknown {
  const call = asFunctionCall(value);
  if (call === undefined) {
    if (Array.isArray(value)) return value.map((item) => evaluateDeferred(item, attributesOf));
    if (isPlainObject(value)) {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) result[key] = evaluateDeferred(item, attributesOf);
      return result;
    }
    return value;
  }
  switch (call.name) {
    case 'get_attribute': {
      const reference = nodeReference('get_attribute', call.args);
      if (!reference.ok) return cloneJson(value);
      const attributes = attributesOf(reference.value.node);
      if (attributes === undefined || !Object.prototype.hasOwnProperty.call(attributes, reference.value.name)) return cloneJson(value);
      const found = valueAtPath(attributes[reference.value.name], reference.value.path);
      return found === undefined ? cloneJson(value) : cloneJson(found);
    }
    case 'concat': {
      const parts = concatParts(call.args);
      if (!parts.ok) return cloneJson(value);
      const evaluated = parts.value.map((part) => evaluateDeferred(part, attributesOf));
      return evaluated.some(isDeferred) ? { concat: evaluated } : combineConcat(evaluated);
    }
    case 'join': {
      const joined = joinArguments(call.args);
      if (!joined.ok) return cloneJson(value);
      const parts = evaluateDeferred(Array.isArray(joined.value.parts) ? joined.value.parts : { [joined.value.parts.name]: joined.value.parts.args }, attributesOf);
      if (isDeferred(parts) || !Array.isArray(parts)) return { join: [parts, joined.value.delimiter] };
      return combineJoin(parts, joined.value.delimiter);
    }
    default:
      return cloneJson(value);
  }
}

