// Reading JSON Schemas without a validator: the expected schema at a path, defaults and secret
// (writeOnly) locations. Pure, so the resolver can use it inside workflows.

import type { JsonSchema } from './catalog/registry.js';
import { asFunctionCall } from './functions.js';
import { isPlainObject, jsonTypeOf, type JsonType } from './json-values.js';
import type { PathSegment } from './path.js';

/** The sub-schema that applies at `path` (object keys and array indexes), if the schema says. */
export function schemaAt(schema: JsonSchema, path: readonly PathSegment[]): JsonSchema | undefined {
  let current: JsonSchema = schema;
  for (const segment of path) {
    let next: unknown;
    if (typeof segment === 'number') next = current.items;
    else {
      const properties = current.properties;
      next = isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, segment) ? properties[segment] : current.additionalProperties;
    }
    if (!isPlainObject(next)) return undefined;
    current = next;
  }
  return current;
}

/** True when the schema marks `path`, or a place above it, `writeOnly` (a secret). */
export function writeOnlyAt(schema: JsonSchema, path: readonly PathSegment[]): boolean {
  let current: JsonSchema | undefined = schema;
  for (let depth = 0; current !== undefined; depth++) {
    if (current.writeOnly === true) return true;
    if (depth === path.length) return false;
    current = schemaAt(current, [path[depth]]);
  }
  return false;
}

/** JSON types a schema accepts, when it states them (type, enum or const). */
export function expectedTypes(schema: JsonSchema | undefined): Set<JsonType> | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema.type === 'string') return new Set([schema.type as JsonType]);
  if (Array.isArray(schema.type)) return new Set(schema.type as JsonType[]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(jsonTypeOf));
  if (Object.prototype.hasOwnProperty.call(schema, 'const')) return new Set([jsonTypeOf(schema.const)]);
  return undefined;
}

export function typeFits(produced: JsonType, expected: ReadonlySet<JsonType>): boolean {
  return expected.has(produced) || (produced === 'integer' && expected.has('number'));
}

export function describeJsonTypes(types: Iterable<JsonType>): string {
  const names: Record<JsonType, string> = {
    string: 'text',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean',
    array: 'a list',
    object: 'a mapping',
    null: 'null',
  };
  return [...types].map((type) => names[type]).join(' or ');
}

/** Fills in `default`s of the schema where the value leaves a key out, at every depth; function calls are left alone. */
export function withSchemaDefaults(value: unknown, schema: JsonSchema | undefined): unknown {
  if (schema === undefined || asFunctionCall(value) !== undefined) return value;
  if (Array.isArray(value)) {
    const items = isPlainObject(schema.items) ? schema.items : undefined;
    return items ? value.map((item) => withSchemaDefaults(item, items)) : value;
  }
  if (!isPlainObject(value)) return value;
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const result: Record<string, unknown> = { ...value };
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!isPlainObject(propertySchema)) continue;
    if (Object.prototype.hasOwnProperty.call(result, key)) result[key] = withSchemaDefaults(result[key], propertySchema);
    else if (Object.prototype.hasOwnProperty.call(propertySchema, 'default')) result[key] = structuredCloneJson(propertySchema.default);
  }
  return result;
}

function structuredCloneJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Paths inside `value` whose schema is `writeOnly` (secret by the type's definition). */
export function writeOnlyPaths(value: unknown, schema: JsonSchema | undefined, path: PathSegment[] = [], into: PathSegment[][] = []): PathSegment[][] {
  if (schema === undefined || value === undefined) return into;
  if (schema.writeOnly === true) {
    into.push(path);
    return into;
  }
  if (asFunctionCall(value) !== undefined) return into;
  if (Array.isArray(value)) value.forEach((item, index) => writeOnlyPaths(item, schemaAt(schema, [index]), [...path, index], into));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) writeOnlyPaths(item, schemaAt(schema, [key]), [...path, key], into);
  return into;
}
