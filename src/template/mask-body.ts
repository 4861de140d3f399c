// Template text fit to show (API answers, audit records): the secrets a template writes in clear
// are replaced by ****** in the text itself, comments and layout kept. Secret are:
// - the `default` of a password/secret input, and the values its `equal`/`valid_values` constraints
//   compare with (they spell the secret out);
// - literal values at properties the node type's schema marks `writeOnly` (ContainerComponent
//   `secrets[].value`, PostgreSQL `password`), also inside concat/join; references
//   (get_input, get_property, get_attribute) are not secrets themselves and stay readable;
// - under a node of an unknown type (an invalid template, e.g. in the audit record of a refused
//   creation), values under keys that look secret (password, secret, token, …).
// The stored text is never changed: the worker deploys from it.

import { getNodeType, listNodeTypes, type JsonSchema } from './catalog/index.js';
import { asFunctionCall, concatParts, joinArguments } from './functions.js';
import { SECRET_INPUT_TYPES, SECRET_MASK, VALUE_CONSTRAINTS } from './inputs.js';
import { isPlainObject } from './json-values.js';
import { parseTemplate } from './parse.js';
import type { PathSegment } from './path.js';
import { writeOnlyPaths } from './schema-walk.js';
import { followAlias, ValueStyle, type SourceMap, type SourceNode } from './source-map.js';

/** Keys whose values are masked under nodes of unknown types. */
const SECRET_LOOKING_KEY = /pass(word)?|secret|token|credential|private[-_]?key/i;

/** Words (lower case) one of which a secret input type or a secret-looking key contains. */
const SECRET_WORDS = ['pass', 'secret', 'token', 'credential', 'private'];

/** The keys on the way to each writeOnly property of the catalog's types (`package`, `secrets`, `value`). */
function writeOnlyKeyPaths(): string[][] {
  const found: string[][] = [];
  const walk = (schema: JsonSchema, keys: string[], depth: number): void => {
    if (depth > 20) return;
    if (schema.writeOnly === true) {
      found.push(keys);
      return;
    }
    if (typeof schema.properties === 'object' && schema.properties !== null) {
      for (const [key, inner] of Object.entries(schema.properties)) if (isPlainObject(inner)) walk(inner, [...keys, key], depth + 1);
    }
    for (const inner of [schema.items, schema.additionalProperties]) if (isPlainObject(inner)) walk(inner, keys, depth + 1);
  };
  for (const def of listNodeTypes()) walk(def.properties, [], 0);
  return found;
}

/**
 * Without a backslash the text can spell a key or a type only literally: when it holds none of
 * the secret words (case aside) and, for no writeOnly property, all the keys leading to it, no
 * secret can be there and the text is shown as it is, without being parsed.
 */
function mayHoldSecrets(text: string): boolean {
  if (text.includes('\\')) return true;
  const lower = text.toLowerCase();
  if (SECRET_WORDS.some((word) => lower.includes(word))) return true;
  return writeOnlyKeyPaths().some((keys) => keys.every((key) => text.includes(key)));
}

/** What replaces a text that could not be parsed: its secrets could not be found. */
function unmaskableBody(text: string): string {
  return `# (template text not shown: it could not be parsed, so the secrets in it could not be masked; ${text.length} characters)\n`;
}

/** The text with every secret value replaced by ******; see the module comment for what is secret. */
export function maskTemplateBody(text: string): string {
  if (typeof text !== 'string') return '';
  if (!mayHoldSecrets(text)) return text;
  const parsed = parseTemplate(text);
  if (parsed.doc === null || parsed.problems.length > 0) return unmaskableBody(text);
  const secrets = secretPaths(parsed.doc);
  if (secrets.length === 0) return text;
  const spans = new Map<number, Span>();
  const seen = new Set<SourceNode>();
  for (const path of secrets) {
    const node = locateValue(parsed.sourceMap, path);
    if (node === undefined || !collectSpans(node, text, spans, seen)) return unmaskableBody(text);
  }
  return applySpans(text, [...spans.values()]);
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

/** Document paths of secret values (see the module comment). */
function secretPaths(doc: unknown): PathSegment[][] {
  const found: PathSegment[][] = [];
  if (!isPlainObject(doc)) return found;
  if (isPlainObject(doc.inputs)) {
    for (const [name, declaration] of Object.entries(doc.inputs)) {
      if (!isPlainObject(declaration) || typeof declaration.type !== 'string' || !SECRET_INPUT_TYPES.has(declaration.type)) continue;
      if (Object.prototype.hasOwnProperty.call(declaration, 'default')) found.push(['inputs', name, 'default']);
      if (!Array.isArray(declaration.constraints)) continue;
      declaration.constraints.forEach((constraint, index) => {
        if (!isPlainObject(constraint)) return;
        for (const key of Object.keys(constraint)) if (VALUE_CONSTRAINTS.has(key)) found.push(['inputs', name, 'constraints', index, key]);
      });
    }
  }
  if (isPlainObject(doc.node_templates)) {
    for (const [name, template] of Object.entries(doc.node_templates)) {
      if (!isPlainObject(template) || !isPlainObject(template.properties)) continue;
      const base: PathSegment[] = ['node_templates', name, 'properties'];
      const def = typeof template.type === 'string' ? getNodeType(template.type) : undefined;
      if (def !== undefined) {
        for (const path of writeOnlyPaths(template.properties, def.properties)) literalsIn(valueAt(template.properties, path), [...base, ...path], found);
      } else secretLookingValues(template.properties, base, found);
    }
  }
  return found;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) current = Array.isArray(current) || isPlainObject(current) ? (current as Record<string, unknown>)[segment] : undefined;
  return current;
}

/** Paths of the literal values in a secret value: references stay, concat/join parts are looked into. */
function literalsIn(value: unknown, path: PathSegment[], into: PathSegment[][]): void {
  const call = asFunctionCall(value);
  if (call !== undefined) {
    if (call.name === 'concat') {
      const parts = concatParts(call.args);
      if (parts.ok) parts.value.forEach((part, index) => literalsIn(part, [...path, call.name, index], into));
    } else if (call.name === 'join') {
      const joined = joinArguments(call.args);
      if (joined.ok && Array.isArray(joined.value.parts)) joined.value.parts.forEach((part, index) => literalsIn(part, [...path, call.name, 0, index], into));
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => literalsIn(item, [...path, index], into));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) literalsIn(item, [...path, key], into);
  else if (value !== null && value !== undefined) into.push(path);
}

function secretLookingValues(value: unknown, path: PathSegment[], into: PathSegment[][]): void {
  if (Array.isArray(value)) value.forEach((item, index) => secretLookingValues(item, [...path, index], into));
  else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_LOOKING_KEY.test(key)) literalsIn(item, [...path, key], into);
      else secretLookingValues(item, [...path, key], into);
    }
  }
}

function locateValue(sourceMap: SourceMap, path: readonly PathSegment[]): SourceNode | undefined {
  const node = sourceMap.node(path);
  return node === undefined ? undefined : followAlias(node);
}

/**
 * Records the replacement of every scalar under `node` (an anchored value is masked where it is
 * written, so every alias of it shows the mask). False when some text cannot be told apart.
 */
function collectSpans(node: SourceNode, text: string, spans: Map<number, Span>, seen: Set<SourceNode>): boolean {
  const target = followAlias(node);
  if (seen.has(target)) return true;
  seen.add(target);
  switch (target.style) {
    case ValueStyle.Alias:
      return false;
    case ValueStyle.Mapping:
    case ValueStyle.Sequence:
      for (const child of target.children?.values() ?? []) if (!collectSpans(child, text, spans, seen)) return false;
      return true;
    default: {
      if (target.start < 0 || target.end < target.start) return false;
      if (target.end === target.start && target.style === ValueStyle.Plain) return true;
      spans.set(target.start, { start: target.start, end: target.end, replacement: replacementFor(target, text) });
      return true;
    }
  }
}

function replacementFor(node: SourceNode, text: string): string {
  switch (node.style) {
    case ValueStyle.SingleQuoted:
    case ValueStyle.DoubleQuoted:
      return SECRET_MASK;
    case ValueStyle.Block: {
      // Content lines keep the indentation of the first one that has text.
      const content = text.slice(node.start, node.end);
      const indent = /^(?:[ \t]*\r?\n)*([ ]*)/.exec(content)?.[1] ?? '';
      return `${indent}${SECRET_MASK}${content.endsWith('\n') ? '\n' : ''}`;
    }
    default:
      return `"${SECRET_MASK}"`;
  }
}

function applySpans(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let offset = 0;
  for (const span of spans) {
    if (span.start < offset) continue;
    parts.push(text.slice(offset, span.start), span.replacement);
    offset = span.end;
  }
  parts.push(text.slice(offset));
  return parts.join('');
}
