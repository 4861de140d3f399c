// Positions of a stack's elements by elkjs (layered, dependencies left of what needs them), computed
// in a Web Worker: elk is 1.6 MB of script, loaded only with a topology and never on the main thread.
import ElkConstructor, { type ELK } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

let elk: ELK | null = null;

function engine(): ELK {
  elk ??= new ElkConstructor({ workerFactory: () => new Worker(elkWorkerUrl) });
  return elk;
}

/**
 * Starts the worker (downloading and compiling 1.6 MB of script takes longer than laying out a
 * stack) while the stack itself is being read: the stack page calls it as it opens.
 */
export function warmUpLayout(): void {
  // A small tree runs the same code paths, so the engine is compiled before the real graph comes.
  const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
  const edges = ids.slice(1).map((id, i) => ({ source: `n${Math.floor(i / 2)}`, target: id }));
  void layoutGraph(ids, edges).catch(() => undefined);
}

/**
 * Columns by dependency depth, in the elements' order: drawn at once while elk works (a layout of a
 * few hundred elements takes elk a second or more on a busy machine), then replaced by elk's.
 */
export function quickLayout(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, { x: number; y: number }> {
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

export interface LayoutEdge {
  source: string;
  target: string;
}

/** Top-left corner of each node, by id. */
export async function layoutGraph(ids: readonly string[], edges: readonly LayoutEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const graph = await engine().layout({
    id: 'stack',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '20',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      // React Flow draws the edges itself: elk's orthogonal routing would be work thrown away, and
      // the simple node placement is several times quicker than the default for a few hundred nodes.
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.nodePlacement.strategy': 'SIMPLE',
    },
    children: ids.map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: edges.map((edge, index) => ({ id: `e${index}`, sources: [edge.source], targets: [edge.target] })),
  });
  return new Map((graph.children ?? []).map((child) => [child.id, { x: child.x ?? 0, y: child.y ?? 0 }]));
}
