// The layout port's elkjs adapter: one worker thread (started on the first layout, kept for the
// next ones, not keeping the process alive), one layout at a time in it. A layout past its time,
// or a worker that dies (e.g. past its heap limit), is answered with a rejection and the worker is
// terminated; the next layout starts a fresh one.
import { Worker } from 'node:worker_threads';
import type { LayoutEngine, LayoutGraph, LayoutPositions } from './engine.js';

/** The worker's protocol (elk-worker.mjs). */
interface LayoutRequest {
  id: number;
  graph: LayoutGraph;
}
type LayoutReply = { id: number; positions: Array<[string, number, number]> } | { id: number; error: string };

const WORKER_FILE = new URL('./elk-worker.mjs', import.meta.url);

export interface ElkEngineOptions {
  /** The worker's heap: a hostile graph fails the layout instead of the process's memory. */
  maxHeapMb?: number;
}

interface Running {
  id: number;
  resolve: (positions: LayoutPositions) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ElkLayoutEngine implements LayoutEngine {
  private worker: Worker | null = null;
  private running: Running | null = null;
  private nextId = 1;
  /** Workers started so far (a timeout or a crash starts another): tests read it. */
  started = 0;

  constructor(private readonly options: ElkEngineOptions = {}) {}

  layout(graph: LayoutGraph, timeoutMs: number): Promise<LayoutPositions> {
    // The caller (TopologyLayouts) queues; two at once would be a bug there, refused rather than mixed up.
    if (this.running) return Promise.reject(new Error('a layout is already running'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<LayoutPositions>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`layout timed out after ${timeoutMs} ms`), true), timeoutMs);
      this.running = { id, resolve, reject, timer };
      worker.postMessage({ id, graph: { nodes: graph.nodes, edges: graph.edges, width: graph.width, height: graph.height } } satisfies LayoutRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.fail(new Error('the layout engine was closed'), false);
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_FILE, {
      // Not the API's flags (--import tsx, inspector ports): the worker is plain JavaScript.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 256 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('message', (reply: LayoutReply) => this.settle(reply));
    worker.on('error', (error) => {
      if (this.worker === worker) this.fail(error, true);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.fail(new Error(`the layout worker exited (${code})`), false);
    });
    this.worker = worker;
    this.started++;
    return worker;
  }

  private settle(reply: LayoutReply): void {
    const running = this.running;
    // A reply of a layout that timed out: its worker is gone, so this cannot be a later layout's.
    if (!running || running.id !== reply.id) return;
    clearTimeout(running.timer);
    this.running = null;
    if ('error' in reply) running.reject(new Error(reply.error));
    else running.resolve(new Map(reply.positions.map(([element, x, y]) => [element, { x, y }])));
  }

  /** Rejects the running layout; `terminate` ends the worker (stuck or broken), the next layout starts another. */
  private fail(error: Error, terminate: boolean): void {
    const running = this.running;
    this.running = null;
    if (running) {
      clearTimeout(running.timer);
      running.reject(error);
    }
    if (terminate && this.worker) {
      const worker = this.worker;
      this.worker = null;
      void worker.terminate();
    }
  }
}
