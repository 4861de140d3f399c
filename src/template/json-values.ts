// Helpers for plain JSON data (what parsed templates and resolved templates are made of).

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as JsonType;
  return 'null';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** A deep copy through which later edits cannot reach the original. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item) as unknown) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: cloneJson(item), enumerable: true, writable: true, configurable: true });
    }
    return copy as T;
  }
  return value;
}

/**
 * Short, single-line rendering of a value for messages. It stops writing once `limit` characters
 * are out, so a preview costs the same for a 3-item list and a 10 MB one.
 */
export function preview(value: unknown, limit = 60): string {
  if (value === undefined) return 'nothing';
  const parts: string[] = [];
  let length = 0;
  const write = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= limit;
  };
  const walk = (item: unknown, depth: number): boolean => {
    if (typeof item === 'string') return write(JSON.stringify(item.length > limit ? item.slice(0, limit) : item));
    if (typeof item === 'number' || typeof item === 'boolean') return write(String(item));
    if (item === null || item === undefined) return write('null');
    if (typeof item !== 'object' || depth > 20) return write('…');
    if (Array.isArray(item)) {
      if (!write('[')) return false;
      for (let i = 0; i < item.length; i++) if ((i > 0 && !write(',')) || !walk(item[i], depth + 1)) return false;
      return write(']');
    }
    if (!write('{')) return false;
    let first = true;
    for (const key in item) {
      if (!Object.prototype.hasOwnProperty.call(item, key)) continue;
      if ((!first && !write(',')) || !write(`${JSON.stringify(key.length > limit ? key.slice(0, limit) : key)}:`) || !walk((item as Record<string, unknown>)[key], depth + 1)) return false;
      first = false;
    }
    return write('}');
  };
  walk(value, 0);
  const text = parts.join('');
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
