import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../src/config.js';

/**
 * A real worker in a process of its own (test/helpers/worker-process.ts) on `taskQueue`; resolves
 * once it polls. Tests kill it with SIGKILL to play a crash; `children` collects it for cleanup.
 * `output` gets everything the process writes, from its first byte (tests search it for secrets).
 */
export function startWorkerChild(
  taskQueue: string,
  children: ChildProcess[],
  env: Record<string, string> = {},
  output?: (stream: 'stdout' | 'stderr', text: string) => void,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'helpers', 'worker-process.ts')], {
    cwd: repoRoot,
    env: { ...process.env, AOS_TASK_QUEUE: taskQueue, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  if (output) {
    child.stdout.on('data', (chunk: Buffer) => output('stdout', chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output('stderr', chunk.toString()));
  }
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker process did not start in 90 s: ${stderr}`)), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited early with ${code}: ${stderr}`)));
  });
}
