// The fallback layout of a stack's topology: columns by dependency depth, drawn when the API gives
// no layout of its own (Stack.topology is null: the graph too large, the server's layout queue
// full, or its layout failed or is still being computed).

/** The node size of the columns; the server's layout gives each node's size with its position. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

export interface LayoutEdge {
  source: string;
  target: string;
}

/** Top-left corner of each node by id: columns by dependency depth, rows in the elements' order. */
export function columnLayout(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, { x: number; y: number }> {
  const needs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of edges) needs.get(edge.target)?.push(edge.source);
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const value = Math.max(-1, ...(needs.get(id) ?? []).map((need) => depthOf(need, seen))) + 1;
    depth.set(id, value);
    return value;
  };
  const rows = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const column = depthOf(id, new Set());
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    positions.set(id, { x: column * (NODE_WIDTH + 60), y: row * (NODE_HEIGHT + 20) });
  }
  return positions;
}
