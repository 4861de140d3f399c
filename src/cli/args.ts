// Option values as commander hands them over (untyped), read with their types checked, and the
// `k=v` input syntax.

import { UsageError } from './failure.js';

/** Options of one command, by commander's camelCase names. */
export type Options = Record<string, unknown>;

export function stringOption(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(options: Options, name: string): string[] {
  const value = options[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function flag(options: Options, name: string): boolean {
  return options[name] === true;
}

/** Commander's collector for a repeatable option (`--input a=1 --input b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number option within bounds, or undefined when not given. */
export function intOption(options: Options, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(options, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const flagName = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) throw new UsageError(`--${flagName} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A value given on the command line: a number or boolean when it reads as one (templates declare
 * `integer`, `float` and `boolean` inputs, and the API checks types strictly), else the text.
 * Leading zeros ("007") and the like stay text, so a string input is not silently changed.
 */
function coerceValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (NUMBER.test(raw)) {
    const value = Number(raw);
    if (Number.isFinite(value)) return value;
  }
  return raw;
}

/** `k=v` pairs (repeatable options) into one object; the value may itself contain "=". */
export function keyValuePairs(pairs: string[], option: string): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${option} takes NAME=VALUE, got "${pair}"`);
    result[pair.slice(0, at)] = coerceValue(pair.slice(at + 1));
  }
  return result;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
