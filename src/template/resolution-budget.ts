// How much resolving a template may make. get_property and get_input copy what they name, so a
// small template can ask for an enormous resolved one; copies are charged value by value as they
// are made, and resolving stops when the budget is spent.
import { isPlainObject } from './json-values.js';
import type { PathSegment } from './path.js';


/**
 * The resolution budget. get_property and get_input copy the value they name, and copies of copies
 * double at each step: 20 small nodes can ask for millions of values. Resolving stops with
 * RESOLUTION_TOO_LARGE once it has made this many values, or values this large as JSON text.
 */
export const MAX_RESOLVED_VALUES = 250_000;
export const MAX_RESOLVED_BYTES = 8 * 1024 * 1024;

export class ResolutionTooLarge extends Error {
  constructor(
    readonly at: readonly PathSegment[],
    readonly limit: string,
  ) {
    super(limit);
  }
}

/** Values made (copies included) and their size as JSON text, approximately. */
export class ResolutionBudget {
  private values = MAX_RESOLVED_VALUES;
  private bytes = MAX_RESOLVED_BYTES;

  charge(bytes: number, at: readonly PathSegment[]): void {
    if (--this.values < 0) throw new ResolutionTooLarge(at, `more than ${MAX_RESOLVED_VALUES} values`);
    if ((this.bytes -= bytes) < 0) throw new ResolutionTooLarge(at, `more than ${MAX_RESOLVED_BYTES} bytes`);
  }

  /** Charges one value (not what it holds); containers are charged item by item as they are built. */
  chargeValue(value: unknown, at: readonly PathSegment[]): void {
    if (typeof value === 'string') this.charge(value.length + 3, at);
    else if (Array.isArray(value)) this.charge(2 + value.length, at);
    else if (isPlainObject(value)) {
      let keys = 2;
      for (const key in value) keys += key.length + 4;
      this.charge(keys, at);
    } else this.charge(8, at);
  }

  /** A deep copy, charged value by value: it stops as soon as the budget is spent, not after copying. */
  copy<T>(value: T, at: readonly PathSegment[]): T {
    this.chargeValue(value, at);
    if (Array.isArray(value)) return value.map((item) => this.copy(item as unknown, at)) as T;
    if (isPlainObject(value)) {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        Object.defineProperty(copy, key, { value: this.copy(item, at), enumerable: true, writable: true, configurable: true });
      }
      return copy as T;
    }
    return value;
  }
}
