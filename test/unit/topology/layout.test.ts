// The server-side topology layout (src/topology/): elkjs in a worker thread, cached by the graph's
// structure, bounded (elements, queue, time); every refusal or failure answers null, never throws.
import { afterEach, describe, expect, it } from 'vitest';
import { ElkLayoutEngine } from '../../../src/topology/elk-engine.js';
import type { LayoutEngine, LayoutGraph, LayoutPositions } from '../../../src/topology/engine.js';
import { NODE_HEIGHT, NODE_WIDTH, TopologyLayouts, type TopologyElement } from '../../../src/topology/layouts.js';

/** `count` elements as a binary tree, each depending on its parent (as the console's 200-element test). */
function tree(count: number, prefix = 'r'): TopologyElement[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}`, dependsOn: i === 0 ? [] : [`${prefix}${Math.floor((i - 1) / 2)}`] }));
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function layouts(engine: LayoutEngine, options: ConstructorParameters<typeof TopologyLayouts>[1] = {}): TopologyLayouts {
  const service = new TopologyLayouts(engine, options);
  closers.push(() => service.close());
  return service;
}

/** An engine answering only when told to (to hold layouts in the queue), counting calls. */
class HeldEngine implements LayoutEngine {
  calls: LayoutGraph[] = [];
  private release: Array<() => void> = [];
  layout(graph: LayoutGraph): Promise<LayoutPositions> {
    this.calls.push(graph);
    return new Promise((resolve) => this.release.push(() => resolve(new Map(graph.nodes.map((node, i) => [node, { x: i, y: 0 }])))));
  }
  releaseAll(): void {
    for (const release of this.release.splice(0)) release();
  }
  async close(): Promise<void> {
    this.releaseAll();
  }
}

describe('the topology layout (elkjs in a worker thread)', () => {
  it('places every dependency left of what depends on it, nodes of the console’s size, none overlapping', async () => {
    const service = layouts(new ElkLayoutEngine());
    const elements = [...tree(60), { name: 'db', dependsOn: [] }, { name: 'app', dependsOn: ['db', 'r5', 'r5', 'unknown'] }];
    const topology = await service.layout(elements);
    expect(topology).not.toBeNull();
    const at = new Map(topology!.nodes.map((node) => [node.element, node]));
    expect([...at.keys()]).toEqual(elements.map((element) => element.name));
    for (const element of elements) {
      const node = at.get(element.name)!;
      expect(node).toMatchObject({ width: NODE_WIDTH, height: NODE_HEIGHT });
      for (const dependency of element.dependsOn.filter((name) => at.has(name))) expect(at.get(dependency)!.x + NODE_WIDTH).toBeLessThanOrEqual(node.x);
    }
    const nodes = topology!.nodes;
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i], nodes[j]];
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${a.element} and ${b.element} overlap`).toBe(false);
      }
  });

  it('computes a structure once: a second stack of the same structure, and concurrent requests, share it; another structure is computed', async () => {
    const engine = new ElkLayoutEngine();
    const service = layouts(engine);
    const [first, concurrent] = await Promise.all([service.layout(tree(50)), service.layout(tree(50))]);
    expect(service.counters).toMatchObject({ computed: 1, shared: 1, cacheHits: 0 });
    expect(concurrent).toBe(first);
    // Another stack of the same template version: same names, same edges.
    const started = performance.now();
    expect(await service.layout(tree(50))).toEqual(first);
    const cachedMs = performance.now() - started;
    expect(service.counters).toMatchObject({ computed: 1, cacheHits: 1 });
    expect(cachedMs).toBeLessThan(200);
    // One edge more is another structure; so are other names.
    const changed = tree(50);
    changed[49] = { name: 'r49', dependsOn: ['r24', 'r0'] };
    await service.layout(changed);
    await service.layout(tree(50, 's'));
    expect(service.counters.computed).toBe(3);
    expect(engine.started).toBe(1);
  });

  it('answers null past its timeout, restarts the worker, and lays the next graph out', async () => {
    const engine = new ElkLayoutEngine();
    const service = layouts(engine, { timeoutMs: 5 });
    expect(await service.layout(tree(400))).toBeNull();
    expect(service.counters.failed).toBe(1);
    // The failure is remembered: the same graph does not take the worker's time again.
    expect(await service.layout(tree(400))).toBeNull();
    expect(service.counters.computed).toBe(1);

    const patient = layouts(engine, { timeoutMs: 15_000 });
    const topology = await patient.layout(tree(20));
    expect(topology?.nodes).toHaveLength(20);
    expect(engine.started).toBe(2);
  });

  it('bounds the queue: past it, requests answer null at once and nothing is computed for them', async () => {
    const engine = new HeldEngine();
    const service = layouts(engine, { maxQueue: 2 });
    const running = service.layout(tree(3, 'a'));
    const queued = [service.layout(tree(3, 'b')), service.layout(tree(3, 'c'))];
    // Running one, two queued: the fourth distinct structure is refused.
    expect(await service.layout(tree(3, 'd'))).toBeNull();
    expect(service.counters.refusedQueueFull).toBe(1);
    // A structure already queued is not refused: it joins.
    const joined = service.layout(tree(3, 'b'));
    expect(service.counters.shared).toBe(1);
    for (let i = 0; i < 3; i++) {
      engine.releaseAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await running).not.toBeNull();
    expect((await Promise.all(queued)).every((topology) => topology !== null)).toBe(true);
    expect(await joined).toBe(await queued[0]);
    expect(engine.calls.map((graph) => graph.nodes[0])).toEqual(['a0', 'b0', 'c0']);
  });

  it('answers null when the layout is not done within the wait, and has it cached for the next request', async () => {
    const engine = new HeldEngine();
    const service = layouts(engine);
    expect(await service.layout(tree(5), 20)).toBeNull();
    engine.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await service.layout(tree(5), 20))?.nodes).toHaveLength(5);
    expect(service.counters).toMatchObject({ computed: 1, cacheHits: 1 });
  });

  it('bounds the elements: a larger graph answers null without reaching the engine', async () => {
    const engine = new HeldEngine();
    const service = layouts(engine, { maxElements: 100 });
    expect(await service.layout(tree(101))).toBeNull();
    expect(service.counters.refusedTooLarge).toBe(1);
    expect(engine.calls).toHaveLength(0);
    const fits = service.layout(tree(100));
    engine.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    engine.releaseAll();
    expect((await fits)?.nodes).toHaveLength(100);
  });
});
