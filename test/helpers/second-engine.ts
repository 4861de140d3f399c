// A second private Docker engine beside the one the test command prepared: its own data root,
// socket and address pool, no docker0 (scripts/docker.sh aos_docker_start_private), and the test
// images copied into it from the first engine (no registry is reachable). For tests that move a
// stack from one engine to another.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { repoRoot } from '../../src/config.js';

const run = promisify(execFile);

/** Another engine's addresses: the first engine uses 10.213.0.0/16 (scripts/docker.sh). */
const SECOND_POOL = '10.214.0.0/16';

export interface SecondEngine {
  /** unix:///… as clusters are registered. */
  host: string;
  docker: Docker;
  /** Stops the engine (by its PID) and removes its data. */
  stop(): Promise<void>;
}

function dockerOf(host: string): Docker {
  return new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
}

/** Copies images from one engine to another (docker save | docker load). */
async function copyImages(from: Docker, to: Docker, images: string[]): Promise<void> {
  for (const image of images) {
    const archive = await from.getImage(image).get();
    const loaded = await to.loadImage(archive);
    await new Promise<void>((resolve, reject) => {
      loaded.on('end', resolve);
      loaded.on('error', reject);
      loaded.resume();
    });
  }
}

export async function startSecondEngine(firstHost: string, images: string[]): Promise<SecondEngine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aos-engine2-'));
  const script = 'source scripts/docker.sh && aos_docker_start_private "$1" "$2" none >&2 && printf "%s %s" "$AOS_DOCKER_HOST" "$AOS_DOCKERD_PID"';
  const { stdout } = await run('bash', ['-c', script, 'second-engine', dataDir, SECOND_POOL], { cwd: repoRoot, timeout: 90_000 });
  const [host, pidText] = stdout.trim().split(' ');
  const pid = Number(pidText);
  if (!host.startsWith('unix://') || !Number.isInteger(pid) || pid <= 0) throw new Error(`the second engine did not start: ${stdout}`);
  const docker = dockerOf(host);
  const stop = async (): Promise<void> => {
    try {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      process.kill(pid, 'SIGKILL');
    } catch {
      // ESRCH: it has exited.
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await copyImages(dockerOf(firstHost), docker, images);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, docker, stop };
}
