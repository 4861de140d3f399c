// Regular expressions written in templates (`pattern` constraints) run on RE2 through re2js, a
// pure JavaScript port: matching takes time linear in the value, never the exponential time a
// backtracking engine (JavaScript's RegExp) can take on `(a+)+b`. The syntax is RE2's: no
// backreferences, no lookaround; the JavaScript escapes patterns were written with before (\uXXXX,
// \u{…}, \cX, [^], (?<name>…)) are translated to RE2's first (re2js translateRegExp), so such
// templates stay valid. Linear is not cheap enough on its own: time and memory also grow
// with the compiled program, which RE2 lets reach 1.4 million instructions (a 300-character
// pattern took 5 s against a 4 KB value), so the program size is bounded too, before compiling.

import { RE2JS } from 're2js';
import type { PatternEngine } from './input-constraints.js';
import { preview } from './json-values.js';

/** Longest pattern text accepted. */
export const MAX_PATTERN_LENGTH = 1000;
/** Compiled instructions of one pattern, and of all the patterns of one template together. */
export const MAX_PATTERN_SIZE = 10_000;
/** Longest value a pattern is checked against; longer values fail the constraint. */
export const MAX_PATTERN_VALUE_LENGTH = 4096;

const SYNTAX_HINT = 'patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax): no backreferences, no lookaround; a pattern must match the whole value';

type CheckedPattern = { ok: true; pattern: RE2JS; size: number } | { ok: false; message: string; hint?: string };

/** What is left of a template's pattern size budget; shared by all its pattern constraints. */
interface PatternBudget {
  remaining: number;
}

/**
 * An upper estimate of RE2's program size for `pattern`, read from the text without compiling:
 * one instruction per literal, class or escape, plus the copies each counted repetition makes
 * (`x{n,m}` is m copies of x). Stops counting once past `ceiling`.
 */
function estimatedProgramSize(pattern: string, ceiling = Number.MAX_SAFE_INTEGER): number {
  const groups: number[] = [0];
  let last = 0;
  const add = (size: number): void => {
    groups[groups.length - 1] += size;
    last = size;
  };
  for (let i = 0; i < pattern.length && groups[0] <= ceiling; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end;
        add(stop - (i + 2));
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if ((next === 'p' || next === 'P' || next === 'x') && pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        i = end < 0 ? pattern.length : end;
      } else i++;
      add(1);
    } else if (char === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j + 2);
          if (end >= 0) j = end + 1;
        }
      }
      i = j;
      add(1);
    } else if (char === '(') {
      groups.push(0);
      last = 0;
    } else if (char === ')') {
      const inner = groups.length > 1 ? groups.pop()! : 0;
      add(inner + 2);
    } else if (char === '|') {
      groups[groups.length - 1] += 1;
      last = 0;
    } else if (char === '*' || char === '+' || char === '?') {
      groups[groups.length - 1] += 2;
    } else if (char === '{') {
      const counted = /^\{(\d{1,9})(,(\d{0,9}))?\}/.exec(pattern.slice(i, i + 24));
      if (counted === null) {
        add(1);
        continue;
      }
      const min = Number(counted[1]);
      const max = counted[3] === undefined ? min : counted[3] === '' ? min + 1 : Number(counted[3]);
      const copies = Math.max(min, max, 1);
      groups[groups.length - 1] += last * (copies - 1) + Math.max(0, max - min);
      last *= copies;
      i += counted[0].length - 1;
    } else add(1);
  }
  return groups.reduce((sum, size) => sum + size, 0);
}

// Compiled patterns by text, least recently used out first, bounded in instructions held (a
// compiled instruction costs about 150 bytes).
const CACHE_INSTRUCTIONS = 100_000;
const cache = new Map<string, CheckedPattern>();
let cachedInstructions = 0;

function remember(pattern: string, checked: CheckedPattern): CheckedPattern {
  cache.set(pattern, checked);
  cachedInstructions += checked.ok ? checked.size : 1;
  for (const [key, entry] of cache) {
    if (cachedInstructions <= CACHE_INSTRUCTIONS && cache.size <= 1000) break;
    cache.delete(key);
    cachedInstructions -= entry.ok ? entry.size : 1;
  }
  return checked;
}

function compile(pattern: string): CheckedPattern {
  const shown = preview(pattern, 60);
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `pattern ${shown} is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`, hint: SYNTAX_HINT };
  }
  const tooComplex: CheckedPattern = {
    ok: false,
    message: `pattern ${shown} is too complex: it would compile to more than ${MAX_PATTERN_SIZE} instructions`,
    hint: 'large counted repetitions ({n,m}) of long groups multiply the size; use smaller counts, or check the length with min_length/max_length',
  };
  // Before translating: translateRegExp turns `\k<name>` into the literal `k<name>`.
  if (hasBackreference(pattern)) return { ok: false, message: `pattern ${shown} uses a backreference, which RE2 syntax does not support`, hint: SYNTAX_HINT };
  let compiled: RE2JS;
  try {
    const translated = RE2JS.translateRegExp(pattern);
    if (estimatedProgramSize(translated, MAX_PATTERN_SIZE) > MAX_PATTERN_SIZE) return tooComplex;
    compiled = RE2JS.compile(translated);
  } catch (error) {
    return { ok: false, message: syntaxMessage(pattern, shown, error instanceof Error ? error.message : String(error)), hint: SYNTAX_HINT };
  }
  const size = Number(compiled.re2Input.numberOfInstructions());
  return size > MAX_PATTERN_SIZE ? tooComplex : { ok: true, pattern: compiled, size };
}

/** `\1`…`\9` or `\k<name>` anywhere (in a class too: no valid pattern has them there either). */
function hasBackreference(pattern: string): boolean {
  for (let i = pattern.indexOf('\\'); i >= 0 && i < pattern.length - 1; i = pattern.indexOf('\\', i + 2)) {
    const next = pattern[i + 1];
    if ((next >= '1' && next <= '9') || next === 'k') return true;
  }
  return false;
}

function syntaxMessage(pattern: string, shown: string, reason: string): string {
  if (/\(\?<?[=!]/.test(pattern) && /Perl syntax|named capture/.test(reason)) return `pattern ${shown} uses lookaround ((?=, (?!, (?<=, (?<!), which RE2 syntax does not support`;
  return `pattern ${shown} is not a valid regular expression (RE2 syntax): ${reason.replace(/^error parsing regexp: /, '')}`;
}

/**
 * The compiled pattern, or why it is refused: too long, too complex, or not RE2 syntax. With a
 * budget, its size is also taken from what the template's patterns may use together.
 */
function checkedPattern(pattern: string, budget?: PatternBudget): CheckedPattern {
  let checked = cache.get(pattern);
  if (checked === undefined) checked = remember(pattern, compile(pattern));
  else {
    cache.delete(pattern);
    cache.set(pattern, checked);
  }
  if (!checked.ok || budget === undefined) return checked;
  if (checked.size > budget.remaining) {
    return {
      ok: false,
      message: `the patterns of this template are too complex together: more than ${MAX_PATTERN_SIZE} compiled instructions`,
      hint: 'simplify the patterns, or check lengths with min_length/max_length instead',
    };
  }
  budget.remaining -= checked.size;
  return checked;
}

/**
 * The RE2 engine for one template check: the patterns it is asked to accept share one size budget
 * (MAX_PATTERN_SIZE instructions for the whole template).
 */
export function re2Patterns(): PatternEngine {
  const budget: PatternBudget = { remaining: MAX_PATTERN_SIZE };
  return {
    refusal(pattern) {
      const checked = checkedPattern(pattern, budget);
      return checked.ok ? undefined : { message: checked.message, hint: checked.hint };
    },
    test(pattern, value) {
      const checked = checkedPattern(pattern);
      if (!checked.ok) return undefined;
      if (value.length > MAX_PATTERN_VALUE_LENGTH) return `is too long to be checked against a pattern: at most ${MAX_PATTERN_VALUE_LENGTH} characters are`;
      return checked.pattern.matches(value);
    },
  };
}
