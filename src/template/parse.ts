// Template text → document + source map. YAML and JSON are told apart by their first character;
// every failure becomes a problem with a line and column, never an exception.

import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, YAMLException, type Event } from 'js-yaml';
import { JsonSyntaxError, MAX_NESTING, parseJsonWithPositions } from './json-parser.js';
import { formatPath, type PathSegment } from './path.js';
import { ProblemCode } from './problems.js';
import { LineIndex, SourceMap, ValueStyle, type SourceNode } from './source-map.js';
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
const MAX_ALIASES = 1000;

export type TemplateFormat = 'yaml' | 'json';

export interface ParseResult {
  doc: unknown;
  problems: TemplateProblem[];
  format: TemplateFormat;
  sourceMap: SourceMap;
}

export function utf8Length(text: string): number {
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

const TAB_INDENT = /^[ ]*\t/;

function yamlProblem(text: string, lines: LineIndex, error: unknown): TemplateProblem {
  const reason = error instanceof YAMLException ? error.reason : error instanceof Error ? error.message : String(error);
  const mark = error instanceof YAMLException ? error.mark : undefined;
  const errorLine = mark ? mark.line + 1 : 1;
  const tabLine = findTabIndentedLine(text, errorLine);
  if (tabLine !== undefined || /\btab/.test(reason ?? '')) {
    const line = tabLine ?? errorLine;
    const column = tabLine !== undefined ? (/\t/.exec(text.split('\n')[line - 1] ?? '')?.index ?? 0) + 1 : (mark?.column ?? 0) + 1;
    return {
      code: ProblemCode.YAML_TAB,
      path: '',
      line,
      column,
      message: `tabs cannot indent YAML; use spaces (2, 4, …) — line ${line} is indented with a tab`,
      hint: 'replace the tab at the start of the line with spaces',
    };
  }
  const position = mark ? { line: mark.line + 1, column: mark.column + 1 } : lines.position(0);
  return {
    code: ProblemCode.YAML_SYNTAX,
    path: '',
    ...position,
    message: `YAML syntax error: ${reason || 'the text is not valid YAML'}`,
    hint: yamlHint(reason ?? ''),
  };
}

/** The first line up to `lastLine` whose indentation holds a tab, outside block scalars we cannot see: a best guess. */
function findTabIndentedLine(text: string, lastLine: number): number | undefined {
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length && lineNumber < lastLine) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    lineNumber++;
    if (TAB_INDENT.test(line) && line.trim() !== '') return lineNumber;
    if (end === -1) break;
    start = end + 1;
  }
  return undefined;
}

function yamlHint(reason: string): string | undefined {
  if (reason.includes('duplicated mapping key')) return 'each key may appear once in a mapping';
  if (reason.includes('indentation')) return 'align keys of the same mapping at the same column';
  if (reason.includes('alias')) return 'define the anchor (&name) before using the alias (*name)';
  if (reason.includes('complex keys')) return 'mapping keys must be plain strings';
  return undefined;
}

interface Frame {
  node: SourceNode;
  kind: 'mapping' | 'sequence' | 'key';
  expectKey: boolean;
  /** The entry whose key was just read: its value is recorded in the same node. */
  pendingEntry: SourceNode;
  nextIndex: number;
}

function eventStart(event: Event): number {
  switch (event.type) {
    case EVENT_ID.SCALAR:
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE: {
      const own = event.type === EVENT_ID.SCALAR ? event.valueStart : event.start;
      const decorations = [event.anchorStart, event.tagStart].filter((offset) => offset >= 0);
      return Math.min(own, ...decorations);
    }
    case EVENT_ID.ALIAS:
      return event.anchorStart > 0 ? event.anchorStart - 1 : 0;
    default:
      return 0;
  }
}

function parseYaml(text: string, lines: LineIndex): { doc: unknown; problems: TemplateProblem[]; sourceMap: SourceMap } {
  const sourceMap = new SourceMap(lines);
  let events: Event[];
  let documents: unknown[];
  try {
    events = parseEvents(text, { maxDepth: MAX_NESTING });
    documents = constructFromEvents(events, { source: text, maxAliases: MAX_ALIASES });
  } catch (error) {
    return { doc: null, problems: [yamlProblem(text, lines, error)], sourceMap };
  }
  if (documents.length > 1) {
    const second = events.findIndex((event, index) => index > 0 && event.type === EVENT_ID.DOCUMENT);
    const nextNode = events.slice(second).find((event) => event.type !== EVENT_ID.DOCUMENT && event.type !== EVENT_ID.POP);
    const position = lines.position(nextNode ? eventStart(nextNode) : 0);
    return {
      doc: null,
      sourceMap,
      problems: [
        {
          code: ProblemCode.YAML_SYNTAX,
          path: '',
          line: Math.max(1, position.line - 1),
          column: 1,
          message: 'a template is a single YAML document, but this text holds several ("---" starts another)',
          hint: 'keep one template per file, or remove the extra "---"',
        },
      ],
    };
  }
  recordYamlPositions(text, events, sourceMap);
  return { doc: documents[0] ?? null, problems: [], sourceMap };
}

const SCALAR_STYLES: Record<number, ValueStyle> = { 1: ValueStyle.Plain, 2: ValueStyle.SingleQuoted, 3: ValueStyle.DoubleQuoted, 4: ValueStyle.Block, 5: ValueStyle.Block };

/** Records where every value sits (and, for the masker, its text span, style and what an alias repeats). */
function recordYamlPositions(text: string, events: Event[], sourceMap: SourceMap): void {
  const stack: Frame[] = [];
  const anchors = new Map<string, SourceNode>();
  // Where nothing is recorded (inside a collection used as a key, which the constructor rejects).
  const scratch = (): SourceNode => ({ at: -1, start: -1, end: -1, style: ValueStyle.Plain });
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) continue;
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const parent = stack[stack.length - 1];
    let node: SourceNode;
    if (parent === undefined) {
      node = sourceMap.root;
      node.at = eventStart(event);
    } else if (parent.kind === 'key') node = scratch();
    else if (parent.kind === 'sequence') node = sourceMap.child(parent.node, parent.nextIndex++, eventStart(event));
    else if (parent.expectKey) {
      parent.expectKey = false;
      if (event.type === EVENT_ID.SCALAR) {
        parent.pendingEntry = sourceMap.child(parent.node, getScalarValue(text, event), eventStart(event));
      } else {
        parent.pendingEntry = scratch();
        // A collection used as a key: the constructor rejects it; only keep the stack balanced.
        if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) stack.push({ node: scratch(), kind: 'key', expectKey: false, pendingEntry: scratch(), nextIndex: 0 });
      }
      continue;
    } else {
      parent.expectKey = true;
      node = parent.pendingEntry;
    }
    switch (event.type) {
      case EVENT_ID.SCALAR:
        node.start = event.valueStart;
        node.end = event.valueEnd;
        node.style = SCALAR_STYLES[event.style] ?? ValueStyle.Plain;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        node.start = event.start;
        node.style = event.type === EVENT_ID.MAPPING ? ValueStyle.Mapping : ValueStyle.Sequence;
        stack.push({ node, kind: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence', expectKey: true, pendingEntry: node, nextIndex: 0 });
        break;
      case EVENT_ID.ALIAS:
        node.style = ValueStyle.Alias;
        node.alias = anchors.get(text.slice(event.anchorStart, event.anchorEnd));
        break;
    }
    if (event.type !== EVENT_ID.ALIAS && event.anchorStart >= 0) anchors.set(text.slice(event.anchorStart, event.anchorEnd), node);
  }
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
