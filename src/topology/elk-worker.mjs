// The worker thread elkjs runs in (started by elk-engine.ts): a layout of a few hundred nodes is a
// second or more of synchronous work, which must never run on the API's event loop. Plain
// JavaScript: a worker thread does not inherit tsx's loader on Node 20, and this needs none.
// Messages: in { id, graph: LayoutGraph } (engine.ts), out { id, positions: [name, x, y][] } or { id, error }.
import { parentPort } from 'node:worker_threads';
import ELK from 'elkjs/lib/elk.bundled.js';

const elk = new ELK();

/** @param {{ nodes: string[], edges: [string, string][], width: number, height: number }} graph */
async function layout(graph) {
  const laidOut = await elk.layout({
    id: 'stack',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '20',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      // The console draws the edges itself: elk's orthogonal routing would be work thrown away, and
      // the simple node placement is several times quicker than the default for a few hundred nodes.
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.nodePlacement.strategy': 'SIMPLE',
    },
    children: graph.nodes.map((id) => ({ id, width: graph.width, height: graph.height })),
    edges: graph.edges.map(([from, to], index) => ({ id: `e${index}`, sources: [from], targets: [to] })),
  });
  return (laidOut.children ?? []).map((child) => [child.id, child.x ?? 0, child.y ?? 0]);
}

parentPort?.on('message', (/** @type {{ id: number, graph: Parameters<typeof layout>[0] }} */ request) => {
  layout(request.graph).then(
    (positions) => parentPort?.postMessage({ id: request.id, positions }),
    (error) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
