// When a container counts as up: running, and answering its health check (else a TCP connect on
// its first published TCP port). Waiting is bounded (AOS_DOCKER_READY_TIMEOUT_MS), heartbeats,
// and gives up early on a container that exited for good or is crash-looping.
import type Docker from 'dockerode';
import { LABEL_HEALTH_CHECK, type ApplicationOnDocker } from './application-on-docker.js';
import { sleep } from '../workload/cancellation.js';
import { dialAddress, probeHttp, probeTcp, type ProbeResult } from './probe.js';
import type { ApplicationSpec, HealthCheck } from '../workload/spec.js';

const POLL_INTERVAL_MS = 300;
/** A container restarted this often while we wait for it is crash-looping: stop waiting. */
const CRASH_LOOP_RESTARTS = 3;

function parseHealthLabel(raw: string | undefined): HealthCheck | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as HealthCheck;
    return value && (value.type === 'tcp' || value.type === 'http') && Number.isInteger(value.port) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The probe for a running container: its health check, else TCP on its first published TCP port. */
export async function probe(app: ApplicationOnDocker, info: Docker.ContainerInspectInfo): Promise<ProbeResult | null> {
  const published = info.NetworkSettings.Ports ?? {};
  const hostPortOf = (containerPort: string): number | undefined => {
    const binding = published[containerPort]?.find((b) => b.HostPort);
    return binding ? Number(binding.HostPort) : undefined;
  };
  const host = dialAddress(app.publishAddress);
  const health = parseHealthLabel(info.Config.Labels?.[LABEL_HEALTH_CHECK]);
  if (health) {
    const port = hostPortOf(`${health.port}/tcp`);
    if (port === undefined) return { ok: false, detail: `health port ${health.port} is not published` };
    return health.type === 'http' ? probeHttp(host, port, health.path) : probeTcp(host, port);
  }
  const firstTcp = Object.keys(published).sort().find((key) => key.endsWith('/tcp') && hostPortOf(key) !== undefined);
  return firstTcp ? probeTcp(host, hostPortOf(firstTcp) as number) : null;
}

async function readiness(
  app: ApplicationOnDocker,
  info: Docker.ContainerInspectInfo,
  restartPolicy: ApplicationSpec['restartPolicy'],
  restartsWhileWaiting: number,
): Promise<{ ready: boolean; fatal?: boolean; problem: string }> {
  const state = info.State;
  if (restartsWhileWaiting >= CRASH_LOOP_RESTARTS) {
    return { ready: false, fatal: true, problem: `keeps restarting (${restartsWhileWaiting} restarts, last exit code ${state.ExitCode})` };
  }
  if (state.Status === 'exited' || state.Status === 'dead') {
    // With a policy that restarts it, Docker will try again: keep waiting (bounded).
    const willRestart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && state.ExitCode !== 0);
    return { ready: false, fatal: !willRestart, problem: `exited with code ${state.ExitCode}${state.Error ? ` (${state.Error})` : ''}` };
  }
  if (!state.Running || state.Restarting) return { ready: false, problem: `is ${state.Status}` };
  const result = await probe(app, info);
  return result ? { ready: result.ok, problem: result.detail } : { ready: true, problem: '' };
}

/**
 * Waits until every container runs and answers. Gives up early on a container that exited for
 * good or restarted CRASH_LOOP_RESTARTS times while we waited.
 */
export async function waitReady(
  app: ApplicationOnDocker,
  containers: { id: string; name: string }[],
  restartPolicy: ApplicationSpec['restartPolicy'],
): Promise<void> {
  const timeoutMs = app.settings.readyTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(containers.map((c) => [c.id, c]));
  const restartsBefore = new Map<string, number>();
  const lastProblem = new Map<string, string>();
  while (pending.size > 0) {
    app.ctx.heartbeat({ step: 'wait-ready', pending: [...pending.values()].map((c) => c.name) });
    for (const c of [...pending.values()]) {
      const info = await app.docker.getContainer(c.id).inspect();
      if (!restartsBefore.has(c.id)) restartsBefore.set(c.id, info.RestartCount);
      const verdict = await readiness(app, info, restartPolicy, info.RestartCount - (restartsBefore.get(c.id) ?? 0));
      if (verdict.ready) pending.delete(c.id);
      else if (verdict.fatal) throw new Error(`container ${c.name} ${verdict.problem}`);
      else lastProblem.set(c.id, verdict.problem);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      const why = [...pending.values()].map((c) => `${c.name}: ${lastProblem.get(c.id) ?? 'not ready'}`).join('; ');
      throw new Error(`containers not ready within ${Math.round(timeoutMs / 1000)} s (${why})`);
    }
    await sleep(POLL_INTERVAL_MS, app.ctx.signal);
  }
}
