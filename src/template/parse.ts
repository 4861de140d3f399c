// Template text → document + source map. YAML and JSON are told apart by their first character;
// every failure becomes a problem with a line and column, never an exception. YAML's own reading
// is in parse-yaml.ts; here are the limits, JSON, and the copy into plain data.

import { JsonSyntaxError, parseJsonWithPositions } from './json-parser.js';
import { parseYaml } from './parse-yaml.js';
import { formatPath, type PathSegment } from './path.js';
import { ProblemCode } from './problems.js';
import { LineIndex, SourceMap } from './source-map.js';
import type { TemplateProblem } from './types.js';

/** Template text above this size is refused before parsing. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
/** Aliases can make a small text expand enormously; past this many values the document is refused. */
export const MAX_EXPANDED_VALUES = 1_000_000;
/**
 * The same for text: keys and strings repeated through aliases count each time. Without it, a
 * 500 KB string repeated by 1000 aliases would be a 500 MB document for everything after parsing.
 */
export const MAX_EXPANDED_BYTES = 4 * MAX_TEMPLATE_BYTES;

export type TemplateFormat = 'yaml' | 'json';

export interface ParseResult {
  doc: unknown;
  problems: TemplateProblem[];
  format: TemplateFormat;
  sourceMap: SourceMap;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function looksLikeJson(text: string): boolean {
  const match = /^\s*(\S)/.exec(text);
  return match !== null && (match[1] === '{' || match[1] === '[');
}

export function parseTemplate(text: string): ParseResult {
  const sourceMap = new SourceMap();
  if (typeof text !== 'string') {
    return { doc: null, problems: [notAMapping('the template must be text')], format: 'yaml', sourceMap };
  }
  const bytes = text.length > MAX_TEMPLATE_BYTES / 4 ? utf8Length(text) : text.length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    return {
      doc: null,
      format: looksLikeJson(text) ? 'json' : 'yaml',
      sourceMap,
      problems: [
        {
          code: ProblemCode.TOO_LARGE,
          path: '',
          line: 1,
          column: 1,
          message: `the template is ${bytes} bytes; at most ${MAX_TEMPLATE_BYTES} bytes (1 MiB) are accepted`,
          hint: 'split it into smaller templates or move large data out of it',
        },
      ],
    };
  }
  const body = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const lines = new LineIndex(body);

  if (looksLikeJson(body)) {
    const json = parseJson(body, lines);
    if (json.problems.length === 0) return finish(json.doc, json.sourceMap, 'json');
    // Flow-style YAML (`{a: 1}`) also starts with a brace; only when YAML rejects it too is it broken JSON.
    const yaml = parseYaml(body, lines);
    if (yaml.problems.length === 0) return finish(yaml.doc, yaml.sourceMap, 'yaml');
    return { doc: null, problems: json.problems, format: 'json', sourceMap };
  }
  const yaml = parseYaml(body, lines);
  if (yaml.problems.length > 0) return { doc: null, problems: yaml.problems, format: 'yaml', sourceMap };
  return finish(yaml.doc, yaml.sourceMap, 'yaml');
}

function finish(raw: unknown, sourceMap: SourceMap, format: TemplateFormat): ParseResult {
  const problems: TemplateProblem[] = [];
  const doc = toPlainData(raw, sourceMap, problems);
  if (problems.length > 0) return { doc: null, problems, format, sourceMap };
  if (doc === null || doc === undefined) {
    return { doc: null, problems: [notAMapping('the template is empty', sourceMap)], format, sourceMap };
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    const found = Array.isArray(doc) ? 'a list' : `a ${typeof doc}`;
    return { doc: null, problems: [notAMapping(`the template must be a mapping of sections, not ${found}`, sourceMap)], format, sourceMap };
  }
  return { doc, problems, format, sourceMap };
}

function notAMapping(message: string, sourceMap?: SourceMap): TemplateProblem {
  const position = sourceMap?.locate([]) ?? { line: 1, column: 1 };
  return {
    code: ProblemCode.NOT_A_MAPPING,
    path: '',
    ...position,
    message,
    hint: 'start with "tosca_definitions_version: ctc_tosca_version_1_0" and a "node_templates:" section',
  };
}

function parseJson(text: string, lines: LineIndex): { doc: unknown; problems: TemplateProblem[]; sourceMap: SourceMap } {
  const sourceMap = new SourceMap(lines);
  try {
    const doc = parseJsonWithPositions(text, sourceMap);
    return { doc, problems: [], sourceMap };
  } catch (error) {
    const offset = error instanceof JsonSyntaxError ? error.offset : 0;
    const message = error instanceof Error ? error.message : String(error);
    return {
      doc: null,
      sourceMap,
      problems: [
        {
          code: ProblemCode.JSON_SYNTAX,
          path: '',
          ...lines.position(Math.min(offset, text.length)),
          message: `JSON syntax error: ${message}`,
          hint: jsonHint(message),
        },
      ],
    };
  }
}

function jsonHint(message: string): string | undefined {
  if (message.includes('expected a property name')) return 'JSON needs double-quoted keys and no trailing comma';
  if (message.includes('expected a value')) return 'check for a trailing comma or an unquoted string';
  if (message.includes('unterminated string')) return 'close the string with a double quote';
  return undefined;
}

/**
 * Copies the parsed value into plain JSON data: aliases become independent copies (bounded, so an
 * alias bomb is refused rather than expanded), and values JSON cannot hold are reported.
 */
function toPlainData(raw: unknown, sourceMap: SourceMap, problems: TemplateProblem[]): unknown {
  let budget = MAX_EXPANDED_VALUES;
  let bytes = MAX_EXPANDED_BYTES;
  const path: PathSegment[] = [];
  const ancestors = new Set<object>();
  const report = (code: string, message: string, hint?: string, at: PathSegment[] = path): void => {
    problems.push({ code, path: formatPath(at), ...sourceMap.locate(at), message, hint });
  };
  const spend = (length: number): boolean => {
    if ((bytes -= length) >= 0) return true;
    if (budget >= 0) report(ProblemCode.TOO_LARGE, `the document expands to more than ${MAX_EXPANDED_BYTES} bytes of text`, 'check anchors and aliases: each use of an alias repeats its text', path.slice(0, 2));
    budget = -2;
    return false;
  };
  const copy = (value: unknown, depth: number): unknown => {
    if (--budget < 0) {
      if (budget === -1) {
        report(ProblemCode.TOO_LARGE, `the document expands to more than ${MAX_EXPANDED_VALUES} values`, 'check anchors and aliases', path.slice(0, 2));
      }
      return null;
    }
    if (typeof value === 'string' && !spend(value.length)) return null;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) report(ProblemCode.INVALID_VALUE, `${String(value)} is not a finite number`, 'write a finite number, or quote the text');
      return value;
    }
    if (typeof value !== 'object') {
      report(ProblemCode.INVALID_VALUE, `a ${typeof value} value is not supported here`);
      return null;
    }
    if (ancestors.has(value)) {
      report(ProblemCode.INVALID_VALUE, 'an alias refers to a collection that contains it', 'an anchor cannot be used inside itself');
      budget = -2;
      return null;
    }
    ancestors.add(value);
    let result: unknown;
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (let i = 0; i < value.length && budget >= 0; i++) {
        path.push(i);
        items.push(copy(value[i], depth + 1));
        path.pop();
      }
      result = items;
    } else {
      const entries: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (budget < 0 || !spend(key.length)) break;
        path.push(key);
        Object.defineProperty(entries, key, { value: copy(item, depth + 1), enumerable: true, writable: true, configurable: true });
        path.pop();
      }
      result = entries;
    }
    ancestors.delete(value);
    return result;
  };
  return copy(raw, 0);
}
