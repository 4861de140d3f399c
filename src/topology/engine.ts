// The port a topology layout is computed through: a graph of named nodes of one size and the edges
// between them in, each node's top-left corner out. elkjs (elk-engine.ts) is the adapter; tests
// may give their own.

export interface LayoutGraph {
  /** Node ids (element names), in the stack's install order. */
  nodes: readonly string[];
  /** [from, to]: `to` depends on `from` (drawn left of it). */
  edges: ReadonlyArray<readonly [string, string]>;
  width: number;
  height: number;
}

export type LayoutPositions = Map<string, { x: number; y: number }>;

export interface LayoutEngine {
  /**
   * Positions of every node, or a rejection: a failure, or `timeoutMs` passed (the engine then
   * stops that computation, so the next one does not wait behind it).
   */
  layout(graph: LayoutGraph, timeoutMs: number): Promise<LayoutPositions>;
  /** Frees what the engine holds (its worker thread); a later layout starts it again. */
  close(): Promise<void>;
}
