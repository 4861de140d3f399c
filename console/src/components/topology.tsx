// A stack's topology: its elements as nodes coloured by status and health, edges from each
// element's dependencies (requirements and references) to it; placed where the API's layout says
// (Stack.topology, elk on the server) or, when it gives none, in dependency columns; drawn by React
// Flow. A click (or Enter on a focused node) selects the element. Loaded on demand.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { elementStatusLabel, useT } from '../i18n';
import { columnLayout, NODE_HEIGHT, NODE_WIDTH } from './column-layout';

export interface TopologyElement {
  name: string;
  type: string;
  status: string;
  health: string;
  dependsOn: string[];
}

/** One node of the API's layout (Stack.topology.nodes). */
export interface PlacedNode {
  element: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
}

type ElementNode = Node<{ element: TopologyElement; selected: boolean; width: number; height: number }, 'element'>;

/** The node's look: failed or unhealthy red, running blue, done and healthy green, waiting or stopped grey. */
function elementTone(element: Pick<TopologyElement, 'status' | 'health'>): 'bad' | 'busy' | 'ok' | 'idle' | 'warn' {
  if (/FAILED/.test(element.status) || element.health === 'ABNORMAL') return 'bad';
  if (/IN_PROGRESS/.test(element.status)) return 'busy';
  if (/COMPLETE/.test(element.status)) return element.health === 'HEALTHY' ? 'ok' : 'warn';
  return 'idle';
}

const ElementNodeView = memo(function ElementNodeView({ data }: NodeProps<ElementNode>) {
  const t = useT();
  const { element } = data;
  const shortType = element.type.split('.').pop() ?? element.type;
  return (
    <div
      className={`topology-node tone-${elementTone(element)}${data.selected ? ' selected' : ''}`}
      data-element={element.name}
      data-status={element.status}
      data-health={element.health}
      style={{ width: data.width, height: data.height }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <strong>{element.name}</strong>
      <span className="node-type">{shortType}</span>
      <span className="node-state">
        {elementStatusLabel(t, element.status)} · {t(`health.${element.health}`)}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const NODE_TYPES = { element: ElementNodeView };

interface TopologyProps {
  elements: TopologyElement[];
  /** The API's layout, or null: then dependency columns. */
  layout: { nodes: PlacedNode[] } | null;
  selected: string | null;
  onSelect: (name: string) => void;
  label: string;
}

export default function Topology({ elements, layout, selected, onSelect, label }: TopologyProps) {
  const started = useRef(performance.now());
  const [drawnMs, setDrawnMs] = useState<number | null>(null);
  const edges = useMemo<Edge[]>(() => {
    const names = new Set(elements.map((e) => e.name));
    return elements.flatMap((element) =>
      element.dependsOn.filter((dependency) => names.has(dependency)).map((dependency) => ({ id: `${dependency}->${element.name}`, source: dependency, target: element.name })),
    );
  }, [elements]);
  // Placed again only when the graph's shape or the layout's source changes, not on every status
  // change (the stack is read again on each of its events, with a new but equal layout).
  const placed = useMemo(() => new Set(layout?.nodes.map((node) => node.element)), [layout]);
  const serverLayout = layout !== null && elements.every((element) => placed.has(element.name));
  const shape = JSON.stringify([serverLayout, elements.map((e) => [e.name, e.dependsOn])]);
  const laidOutBy = serverLayout ? 'server' : 'columns';
  const positions = useMemo<Map<string, Placement>>(() => {
    if (serverLayout && layout) return new Map(layout.nodes.map((node) => [node.element, node]));
    const columns = columnLayout(
      elements.map((e) => e.name),
      edges,
    );
    return new Map([...columns].map(([name, at]) => [name, { ...at, width: NODE_WIDTH, height: NODE_HEIGHT }]));
    // `shape` stands for elements, edges and layout: an equal graph re-read keeps its positions.
  }, [shape]);

  const nodes = useMemo<ElementNode[]>(
    () =>
      elements.map((element) => {
        const at = positions.get(element.name) ?? { x: 0, y: 0, width: NODE_WIDTH, height: NODE_HEIGHT };
        return {
          id: element.name,
          type: 'element',
          position: { x: at.x, y: at.y },
          data: { element, selected: element.name === selected, width: at.width, height: at.height },
          draggable: false,
          connectable: false,
          ariaLabel: element.name,
        };
      }),
    [elements, positions, selected],
  );

  useEffect(() => {
    if (drawnMs === null) {
      // Drawn: the frame after React Flow rendered the positioned nodes (from the stack's data, which holds the layout).
      requestAnimationFrame(() => setDrawnMs(Math.round(performance.now() - started.current)));
    }
  }, [drawnMs]);

  return (
    <div className="topology" data-testid="topology" data-drawn-ms={drawnMs ?? undefined} data-laid-out-by={laidOutBy} data-nodes={nodes.length} role="region" aria-label={label}>
      {elements.length > 0 ? (
        <ReactFlow
          // Fitted again when the server's layout replaces the columns.
          key={laidOutBy}
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodeClick={(_, node) => onSelect(node.id)}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          fitView
          fitViewOptions={{ maxZoom: 1 }}
          minZoom={0.05}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      ) : null}
    </div>
  );
}
