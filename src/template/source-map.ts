import { formatPath, type PathSegment } from './path.js';

/** 1-based line and column, as editors show them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Where each value of a parsed document came from. For a mapping entry the key's position is kept
 * (that is where a reader looks for `instances:`); for a list item, the item's own position.
 */
export class SourceMap {
  private readonly positions = new Map<string, SourcePosition>();

  set(path: readonly PathSegment[], position: SourcePosition): void {
    const key = formatPath(path);
    if (!this.positions.has(key)) this.positions.set(key, position);
  }

  /** The position of the path, or of its nearest ancestor that the source has. */
  locate(path: readonly PathSegment[]): SourcePosition | undefined {
    for (let length = path.length; length >= 0; length--) {
      const found = this.positions.get(formatPath(path.slice(0, length)));
      if (found) return found;
    }
    return undefined;
  }

  get size(): number {
    return this.positions.size;
  }
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
