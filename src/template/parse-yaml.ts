// YAML template text → value + source map (line, column, text span and style of every value,
// which the masker needs too), through js-yaml's event stream. Syntax errors become one problem
// each, with a hint for the common ones (tabs, indentation, aliases).
import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, YAMLException, type Event } from 'js-yaml';
import { MAX_NESTING } from './json-parser.js';
import { ProblemCode } from './problems.js';
import { SourceMap, ValueStyle, type LineIndex, type SourceNode } from './source-map.js';
import type { TemplateProblem } from './types.js';

/** js-yaml's maxAliases: alias uses one document may hold (the expansion itself is bounded in parse.ts). */
const MAX_ALIASES = 1000;

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

export function parseYaml(text: string, lines: LineIndex): { doc: unknown; problems: TemplateProblem[]; sourceMap: SourceMap } {
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
