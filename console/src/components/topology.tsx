// A stack's topology: its elements as nodes coloured by status and health, edges from each
// element's dependencies (requirements and references) to it; laid out by elk (in a worker), drawn
// by React Flow. A click (or Enter on a focused node) selects the element. Loaded on demand.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { statusLabel, useT } from '../i18n';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, quickLayout } from './elk-layout';

export interface TopologyElement {
  name: string;
  type: string;
  status: string;
  health: string;
  dependsOn: string[];
}

type ElementNode = Node<{ element: TopologyElement; selected: boolean }, 'element'>;

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
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <strong>{element.name}</strong>
      <span className="node-type">{shortType}</span>
      <span className="node-state">
        {statusLabel(t, element.status)} · {t(`health.${element.health}`)}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const NODE_TYPES = { element: ElementNodeView };

interface TopologyProps {
  elements: TopologyElement[];
  selected: string | null;
  onSelect: (name: string) => void;
  label: string;
}

export default function Topology({ elements, selected, onSelect, label }: TopologyProps) {
  const started = useRef(performance.now());
  const [positions, setPositions] = useState<Map<string, { x: number; y: number }> | null>(null);
  const [laidOutBy, setLaidOutBy] = useState<'quick' | 'elk'>('quick');
  const [drawnMs, setDrawnMs] = useState<number | null>(null);
  const [layoutMs, setLayoutMs] = useState<number | null>(null);
  // Layout again only when the graph's shape changes, not on every status change.
  const shape = useMemo(() => JSON.stringify(elements.map((e) => [e.name, e.dependsOn])), [elements]);
  const edges = useMemo<Edge[]>(() => {
    const names = new Set(elements.map((e) => e.name));
    return elements.flatMap((element) =>
      element.dependsOn.filter((dependency) => names.has(dependency)).map((dependency) => ({ id: `${dependency}->${element.name}`, source: dependency, target: element.name })),
    );
  }, [elements]);

  useEffect(() => {
    let current = true;
    const names = elements.map((e) => e.name);
    const asked = performance.now();
    // Drawn at once in dependency columns; elk's layout replaces it when it comes (or never, if the
    // worker cannot start: the columns still show every element and edge).
    setPositions((shown) => shown ?? quickLayout(names, edges));
    layoutGraph(names, edges).then(
      (laidOut) => {
        if (!current) return;
        setLayoutMs((ms) => ms ?? Math.round(performance.now() - asked));
        setPositions(laidOut);
        setLaidOutBy('elk');
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [shape]);

  const nodes = useMemo<ElementNode[]>(
    () =>
      positions
        ? elements.map((element) => ({
            id: element.name,
            type: 'element',
            position: positions.get(element.name) ?? { x: 0, y: 0 },
            data: { element, selected: element.name === selected },
            draggable: false,
            connectable: false,
            ariaLabel: element.name,
          }))
        : [],
    [elements, positions, selected],
  );

  useEffect(() => {
    if (positions && drawnMs === null) {
      // Drawn: the frame after React Flow rendered the positioned nodes.
      requestAnimationFrame(() => setDrawnMs(Math.round(performance.now() - started.current)));
    }
  }, [positions, drawnMs]);

  return (
    <div className="topology" data-testid="topology" data-drawn-ms={drawnMs ?? undefined} data-layout-ms={layoutMs ?? undefined} data-laid-out-by={laidOutBy} data-nodes={nodes.length} role="region" aria-label={label}>
      {positions ? (
        <ReactFlow
          // Fitted again when elk's layout replaces the first one.
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
