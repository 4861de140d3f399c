// A stack's topology laid out on the server: where each element's node goes, computed by a layout
// engine (elkjs in a worker thread, see elk-engine.ts) and cached by the graph's structure — names,
// edges and node size, so the stacks of one template version share one entry. Shared means
// hostile: one layout runs at a time, each with a timeout; the queue behind it and the graph's size
// are bounded; when a bound is hit or a layout fails the answer is null (the console then draws its
// dependency columns) — nothing is thrown at the caller and nothing waits on the event loop.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { MAX_ELEMENTS } from '../template/index.js';
import type { LayoutEngine, LayoutGraph } from './engine.js';

/** The size of an element's node, as the console draws it (it reads width and height from each node). */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

export interface TopologyElement {
  name: string;
  dependsOn: readonly string[];
}

export interface TopologyNode {
  element: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StackTopology {
  nodes: TopologyNode[];
}

export interface TopologyLayoutOptions {
  /** Graphs with more elements are not laid out (default: the template limit, MAX_ELEMENTS). */
  maxElements?: number;
  /** Layouts waiting behind the running one; past it a request answers null at once. */
  maxQueue?: number;
  /** Per layout; past it the worker is stopped and the answer is null. */
  timeoutMs?: number;
  /** Nodes held by the cache in all (an entry weighs its node count). */
  cacheNodes?: number;
  /** How long a graph whose layout failed answers null without being tried again. */
  failureTtlMs?: number;
  /**
   * How long a request waits for a layout not yet cached before it answers null (the layout goes
   * on and is cached for the next request): a query never waits behind a long queue.
   */
  waitMs?: number;
}

export interface TopologyLayoutCounters {
  /** Layouts the engine was asked for. */
  computed: number;
  cacheHits: number;
  /** Requests that joined a computation of the same structure already queued or running. */
  shared: number;
  failed: number;
  refusedQueueFull: number;
  refusedTooLarge: number;
}

/** Stands for a failed layout in the cache (lru-cache holds no null). */
const FAILED = Symbol('failed');

interface Job {
  key: string;
  graph: LayoutGraph;
  resolve: (topology: StackTopology | null) => void;
}

export class TopologyLayouts {
  private readonly maxElements: number;
  private readonly maxQueue: number;
  private readonly timeoutMs: number;
  private readonly failureTtlMs: number;
  private readonly waitMs: number;
  private readonly cache: LRUCache<string, StackTopology | typeof FAILED>;
  private readonly pending = new Map<string, Promise<StackTopology | null>>();
  private readonly queue: Job[] = [];
  private running = false;
  readonly counters: TopologyLayoutCounters = { computed: 0, cacheHits: 0, shared: 0, failed: 0, refusedQueueFull: 0, refusedTooLarge: 0 };

  constructor(
    private readonly engine: LayoutEngine,
    options: TopologyLayoutOptions = {},
  ) {
    this.maxElements = options.maxElements ?? MAX_ELEMENTS;
    this.maxQueue = options.maxQueue ?? 16;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.failureTtlMs = options.failureTtlMs ?? 10 * 60_000;
    this.waitMs = options.waitMs ?? 3_000;
    this.cache = new LRUCache({
      maxSize: options.cacheNodes ?? 100_000,
      sizeCalculation: (value) => (value === FAILED ? 1 : value.nodes.length + 1),
    });
  }

  /**
   * The layout of these elements (edges from dependsOn), or null: too many elements, the queue
   * full, the layout failed or timed out, or it was not done within `waitMs` (it is cached when done).
   */
  async layout(elements: readonly TopologyElement[], waitMs = this.waitMs): Promise<StackTopology | null> {
    const computing = this.request(elements);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    try {
      return await Promise.race([computing, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lays the elements out in the background (after a stack is created or updated), so its first view finds the layout cached. */
  warm(elements: readonly TopologyElement[]): void {
    void this.request(elements);
  }

  private request(elements: readonly TopologyElement[]): Promise<StackTopology | null> {
    if (elements.length > this.maxElements) {
      this.counters.refusedTooLarge++;
      return Promise.resolve(null);
    }
    const graph = graphOf(elements);
    const key = structureKey(graph);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.counters.cacheHits++;
      return Promise.resolve(cached === FAILED ? null : cached);
    }
    const pending = this.pending.get(key);
    if (pending) {
      this.counters.shared++;
      return pending;
    }
    if (this.queue.length >= this.maxQueue) {
      this.counters.refusedQueueFull++;
      return Promise.resolve(null);
    }
    const promise = new Promise<StackTopology | null>((resolve) => this.queue.push({ key, graph, resolve }));
    this.pending.set(key, promise);
    void this.drain();
    return promise;
  }

  /** Ends the engine's worker; queued layouts answer null. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) this.finish(job, null);
    await this.engine.close();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        this.counters.computed++;
        try {
          const positions = await this.engine.layout(job.graph, this.timeoutMs);
          const { width, height } = job.graph;
          const topology: StackTopology = {
            nodes: job.graph.nodes.map((element) => ({ element, x: positions.get(element)?.x ?? 0, y: positions.get(element)?.y ?? 0, width, height })),
          };
          this.cache.set(job.key, topology);
          this.finish(job, topology);
        } catch {
          // Not retried at once: a graph that timed out would take the worker's time again and again.
          this.counters.failed++;
          this.cache.set(job.key, FAILED, { ttl: this.failureTtlMs });
          this.finish(job, null);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private finish(job: Job, topology: StackTopology | null): void {
    this.pending.delete(job.key);
    job.resolve(topology);
  }
}

/** The graph of the elements: nodes in their order, an edge per known dependency (once). */
function graphOf(elements: readonly TopologyElement[]): LayoutGraph {
  const names = new Set(elements.map((element) => element.name));
  const edges: Array<readonly [string, string]> = [];
  for (const element of elements) {
    for (const dependency of new Set(element.dependsOn)) if (names.has(dependency) && dependency !== element.name) edges.push([dependency, element.name]);
  }
  return { nodes: elements.map((element) => element.name), edges, width: NODE_WIDTH, height: NODE_HEIGHT };
}

function structureKey(graph: LayoutGraph): string {
  return createHash('sha256').update(JSON.stringify([graph.width, graph.height, graph.nodes, graph.edges])).digest('base64url');
}
