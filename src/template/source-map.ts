import type { PathSegment } from './path.js';

/** 1-based line and column, as editors show them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** How a value is written in the source; the masker needs it to replace the value's text. */
export const ValueStyle = {
  /** YAML plain scalar, JSON number/boolean/null: the span is the whole value. */
  Plain: 1,
  /** YAML single-quoted scalar: the span is between the quotes. */
  SingleQuoted: 2,
  /** YAML double-quoted scalar: the span is between the quotes. */
  DoubleQuoted: 3,
  /** YAML literal or folded block scalar: the span is the content lines. */
  Block: 4,
  /** JSON string: the span includes the quotes. */
  JsonString: 5,
  Mapping: 6,
  Sequence: 7,
  /** A YAML alias (`*name`); the node's `alias` is the node its anchor named. */
  Alias: 8,
} as const;
export type ValueStyle = (typeof ValueStyle)[keyof typeof ValueStyle];

/**
 * One value of the document as the source has it. Kept as a tree (not a map of formatted paths)
 * so that recording costs the same for every value however long the keys above it are.
 */
export interface SourceNode {
  /** Offset a reader looks at: the key for a mapping entry, the item itself for a list item. */
  at: number;
  /** Offsets of the value's own text, end exclusive; -1 when the source has no text for it. */
  start: number;
  end: number;
  style: ValueStyle;
  children?: Map<PathSegment, SourceNode>;
  /** For an alias: the anchored node it repeats (resolved when the alias was read). */
  alias?: SourceNode;
}

/**
 * Where each value of a parsed document came from. For a mapping entry the key's position is kept
 * (that is where a reader looks for `instances:`); for a list item, the item's own position.
 */
export class SourceMap {
  /** The document itself; `at` stays -1 until a parser records where the document starts. */
  readonly root: SourceNode = { at: -1, start: -1, end: -1, style: ValueStyle.Mapping };
  private count = 0;

  constructor(private readonly lines: LineIndex = new LineIndex('')) {}

  /** The node of `segment` under `parent`; the first record of a path wins (a key before its value). */
  child(parent: SourceNode, segment: PathSegment, at: number): SourceNode {
    parent.children ??= new Map();
    let node = parent.children.get(segment);
    if (node === undefined) {
      node = { at, start: -1, end: -1, style: ValueStyle.Plain };
      parent.children.set(segment, node);
      this.count++;
    }
    return node;
  }

  /** Records an offset for a path (tests and simple callers; parsers use `child`). */
  set(path: readonly PathSegment[], offset: number): void {
    let node = this.root;
    if (this.root.at < 0) this.root.at = offset;
    for (const segment of path) node = this.child(node, segment, offset);
  }

  /** The position of the path, or of its nearest ancestor that the source has. */
  locate(path: readonly PathSegment[]): SourcePosition | undefined {
    let node = this.root;
    let found = node.at;
    for (const segment of path) {
      const next = node.children?.get(segment);
      if (next === undefined) break;
      node = next;
      if (node.at >= 0) found = node.at;
    }
    return found >= 0 ? this.lines.position(found) : undefined;
  }

  /** The node holding the value at `path`, following aliases; undefined when the source has no such value. */
  node(path: readonly PathSegment[]): SourceNode | undefined {
    let node: SourceNode | undefined = this.root;
    for (const segment of path) {
      node = followAlias(node).children?.get(segment);
      if (node === undefined) return undefined;
    }
    return node;
  }

  get size(): number {
    return this.count;
  }
}

/** The node an alias stands for (aliases of aliases included); other nodes are themselves. */
export function followAlias(node: SourceNode): SourceNode {
  let current = node;
  for (let hops = 0; current.alias !== undefined && hops < 100; hops++) current = current.alias;
  return current;
}

/** Converts offsets to line/column without rescanning the text for every lookup. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }
}
