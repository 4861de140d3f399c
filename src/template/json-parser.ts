// A strict JSON parser that also records where every value sits, so that validation problems
// found later can point at a line and column. JSON.parse reports neither positions of values
// nor (portably) of its own errors, and has no nesting limit.

import { ValueStyle, type SourceMap, type SourceNode } from './source-map.js';

export const MAX_NESTING = 100;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text, recording in `sourceMap` where every value (and every key) sits. */
export function parseJsonWithPositions(text: string, sourceMap: SourceMap): unknown {
  let offset = 0;

  const fail = (message: string, at = offset): never => {
    throw new JsonSyntaxError(message, at);
  };

  const skipWhitespace = (): void => {
    while (offset < text.length) {
      const code = text.charCodeAt(offset);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) offset++;
      else break;
    }
  };

  const describe = (at: number): string =>
    at >= text.length ? 'end of input' : `"${text[at]}"`;

  const parseString = (): string => {
    const start = offset;
    offset++;
    while (offset < text.length) {
      const code = text.charCodeAt(offset);
      if (code === 0x22) {
        offset++;
        try {
          return JSON.parse(text.slice(start, offset)) as string;
        } catch {
          return fail('invalid escape sequence in string', start);
        }
      }
      if (code === 0x5c) offset += 2;
      else if (code < 0x20) fail('control character in string (escape it, e.g. \\n)');
      else offset++;
    }
    return fail('unterminated string', start);
  };

  /** `node` is where the value is recorded; for a list item it is made here, once the item's offset is known. */
  const parseValue = (depth: number, node: SourceNode | ((at: number) => SourceNode)): unknown => {
    skipWhitespace();
    if (depth > MAX_NESTING) fail(`nesting deeper than ${MAX_NESTING} levels`);
    const here = typeof node === 'function' ? node(offset) : node;
    here.start = offset;
    const value = parseBareValue(depth, here);
    here.end = offset;
    return value;
  };

  const parseBareValue = (depth: number, node: SourceNode): unknown => {
    const char = text[offset];
    if (char === '{') return (node.style = ValueStyle.Mapping), parseObject(depth, node);
    if (char === '[') return (node.style = ValueStyle.Sequence), parseArray(depth, node);
    if (char === '"') return (node.style = ValueStyle.JsonString), parseString();
    node.style = ValueStyle.Plain;
    if (text.startsWith('true', offset)) return (offset += 4), true;
    if (text.startsWith('false', offset)) return (offset += 5), false;
    if (text.startsWith('null', offset)) return (offset += 4), null;
    NUMBER.lastIndex = offset;
    const match = NUMBER.exec(text);
    if (match && match[0] !== '-') {
      offset += match[0].length;
      return Number(match[0]);
    }
    return fail(`unexpected ${describe(offset)}, expected a value`);
  };

  const parseObject = (depth: number, node: SourceNode): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    offset++;
    skipWhitespace();
    if (text[offset] === '}') return offset++, result;
    for (;;) {
      skipWhitespace();
      if (text[offset] !== '"') fail(`unexpected ${describe(offset)}, expected a property name in double quotes`);
      const keyOffset = offset;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(result, key)) fail(`duplicate key "${key}"`, keyOffset);
      skipWhitespace();
      if (text[offset] !== ':') fail(`unexpected ${describe(offset)}, expected ":"`);
      offset++;
      const value = parseValue(depth + 1, sourceMap.child(node, key, keyOffset));
      // defineProperty keeps a "__proto__" key an ordinary key instead of replacing the prototype.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      skipWhitespace();
      if (text[offset] === ',') {
        offset++;
        continue;
      }
      if (text[offset] === '}') return offset++, result;
      return fail(`unexpected ${describe(offset)}, expected "," or "}"`);
    }
  };

  const parseArray = (depth: number, node: SourceNode): unknown[] => {
    const result: unknown[] = [];
    offset++;
    skipWhitespace();
    if (text[offset] === ']') return offset++, result;
    for (;;) {
      const index = result.length;
      const value = parseValue(depth + 1, (at) => sourceMap.child(node, index, at));
      result.push(value);
      skipWhitespace();
      if (text[offset] === ',') {
        offset++;
        continue;
      }
      if (text[offset] === ']') return offset++, result;
      return fail(`unexpected ${describe(offset)}, expected "," or "]"`);
    }
  };

  const value = parseValue(0, (at) => {
    sourceMap.root.at = at;
    return sourceMap.root;
  });
  skipWhitespace();
  if (offset < text.length) fail(`unexpected ${describe(offset)} after the end of the document`);
  return value;
}
