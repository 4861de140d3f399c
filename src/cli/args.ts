// Argument parsing shared by the API commands: node's own util.parseArgs (strict, so a misspelt
// option is refused instead of ignored) plus the `k=v` input syntax.

import { parseArgs } from 'node:util';

/** Wrong usage: the command prints its usage and exits 2. */
export class UsageError extends Error {}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  /** Options by name: a string (or strings, when repeatable) or true. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** Options every API command accepts. */
const COMMON_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parseCommandArgs(args: string[], options: OptionSpec): ParsedArgs {
  try {
    const parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { positionals: parsed.positionals, values: parsed.values };
  } catch (error) {
    // parseArgs' messages name the option and say what is wrong; keep that first sentence (the
    // rest is advice about "--" that rarely applies here).
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\. To specify a positional/)[0]);
  }
}

export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(parsed: ParsedArgs, name: string): string[] {
  const value = parsed.values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

/** A whole number option within bounds, or undefined when not given. */
export function intOption(parsed: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Exactly `count` positionals, named for the message when some are missing or extra. */
export function expectPositionals(parsed: ParsedArgs, names: string[]): string[] {
  if (parsed.positionals.length < names.length) throw new UsageError(`missing ${names.slice(parsed.positionals.length).join(' ')}`);
  if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument "${parsed.positionals[names.length]}"`);
  return parsed.positionals;
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
