// JSON pointers (what ajv reports errors at) to and from template paths.
import { isPlainObject } from './json-values.js';
import type { PathSegment } from './path.js';
import type { JsonSchema } from './catalog/index.js';

function unescapePointer(raw: string): string {
  return raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
}

/** The path segments of a JSON pointer into `root`, and the value found there. */
export function pointerTarget(pointer: string, root: unknown): { segments: PathSegment[]; data: unknown } {
  if (pointer === '') return { segments: [], data: root };
  const segments: PathSegment[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = unescapePointer(raw);
    if (Array.isArray(current)) {
      segments.push(Number(key));
      current = current[Number(key)];
    } else {
      segments.push(key);
      current = isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
    }
  }
  return { segments, data: current };
}

/** The schema holding the keyword an error names (`#/properties/package/additionalProperties` → the package schema). */
export function schemaHolding(schemaPath: string, root: JsonSchema): JsonSchema | undefined {
  const parts = schemaPath.split('/');
  let current: unknown = root;
  for (let i = 1; i < parts.length - 1; i++) {
    const key = unescapePointer(parts[i]);
    current = Array.isArray(current) ? current[Number(key)] : isPlainObject(current) ? current[key] : undefined;
  }
  return isPlainObject(current) ? current : undefined;
}

export function pointerOf(path: readonly PathSegment[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** True when the pointer is one of `pointers` or lies under one: one set lookup per level, not a scan. */
export function atOrUnder(pointer: string, pointers: ReadonlySet<string>): boolean {
  if (pointers.size === 0) return false;
  if (pointers.has('')) return true;
  for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
    if (pointers.has(end === pointer.length ? pointer : pointer.slice(0, end))) return true;
  }
  return false;
}
