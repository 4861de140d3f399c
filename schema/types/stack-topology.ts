// A stack's topology laid out by the server (src/topology/): where the console draws each element.
import type { StackTopology, TopologyNode } from '../../src/topology/layouts.js';
import { builder } from '../builder.js';

const TopologyNodeRef = builder.objectRef<TopologyNode>('TopologyNode').implement({
  description: "One element's node: its top-left corner and size, in the layout's units (pixels at zoom 1).",
  fields: (t) => ({
    element: t.exposeString('element', { description: 'The element’s name.' }),
    x: t.exposeFloat('x'),
    y: t.exposeFloat('y'),
    width: t.exposeFloat('width'),
    height: t.exposeFloat('height'),
  }),
});

export const StackTopologyRef = builder.objectRef<StackTopology>('StackTopology').implement({
  description: 'Positions of the elements in a layered layout: each element right of the elements it depends on.',
  fields: (t) => ({
    nodes: t.field({ type: [TopologyNodeRef], description: 'One per element, in install order.', resolve: (topology) => topology.nodes }),
  }),
});
