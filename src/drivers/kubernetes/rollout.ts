// When a Deployment counts as rolled out, and what its pods say when it does not: pure readings of
// the API server's objects, used by the rollout wait and by health. A rollout is done when the
// controller has seen the latest spec (observedGeneration), every desired replica runs that spec
// (updatedReplicas), no old one is left (replicas) and all are available (availableReplicas).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { sleep } from '../workload/cancellation.js';

/** A container restarted this often while we wait is crash-looping: stop waiting. */
const CRASH_LOOP_RESTARTS = 3;
const POLL_INTERVAL_MS = 1_000;
const MAX_POD_PROBLEMS = 5;

interface RolloutVerdict {
  done: boolean;
  /** Why not yet (or why never). */
  problem: string;
  /** Will not get better by waiting. */
  fatal?: boolean;
}

function rolloutVerdict(deployment: V1Deployment): RolloutVerdict {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return { done: false, problem: 'the controller has not seen the latest spec yet' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, fatal: true, problem: `progress deadline exceeded${progressing.message ? ` (${progressing.message})` : ''}` };
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { done: false, problem: `${updated} of ${desired} instance(s) updated` };
  if (replicas > updated) return { done: false, problem: `${replicas - updated} old instance(s) still running` };
  if (available < updated) return { done: false, problem: `${available} of ${desired} instance(s) available` };
  return { done: true, problem: '' };
}

/** What is wrong with the pods, one line each (at most a few), and whether one is crash-looping. */
export function podProblems(pods: readonly V1Pod[]): { problems: string[]; crashLooping: string | null } {
  const problems: string[] = [];
  let crashLooping: string | null = null;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '?';
    const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unschedulable) problems.push(`pod ${name} is not scheduled: ${unschedulable.reason ?? ''}${unschedulable.message ? ` (${unschedulable.message})` : ''}`);
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated ?? container.lastState?.terminated;
      if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
        const exit = terminated ? `, last exit code ${terminated.exitCode}` : '';
        problems.push(`pod ${name}: ${waiting.reason} (restarted ${container.restartCount} times${exit})`);
        if (waiting.reason === 'CrashLoopBackOff' && container.restartCount >= CRASH_LOOP_RESTARTS) crashLooping ??= `pod ${name} keeps restarting (${container.restartCount} restarts${exit})`;
      } else if (container.state?.running && !container.ready && pod.status?.phase === 'Running') {
        problems.push(`pod ${name}: not ready (readiness probe failing)`);
      }
    }
  }
  return { problems: problems.slice(0, MAX_POD_PROBLEMS), crashLooping };
}

export interface RolloutWatch {
  readDeployment(): Promise<V1Deployment | null>;
  listPods(): Promise<V1Pod[]>;
  heartbeat(details: unknown): void;
  signal: AbortSignal;
  timeoutMs: number;
  name: string;
}

/** Waits until the Deployment is rolled out; gives up on a fatal condition, a crash loop or the timeout. */
export async function waitForRollout(watch: RolloutWatch): Promise<V1Deployment> {
  const deadline = Date.now() + watch.timeoutMs;
  for (;;) {
    const deployment = await watch.readDeployment();
    if (!deployment) throw new Error(`Deployment ${watch.name} disappeared during its rollout`);
    const verdict = rolloutVerdict(deployment);
    watch.heartbeat({ step: 'rollout', deployment: watch.name, ...(verdict.done ? {} : { waiting: verdict.problem }) });
    if (verdict.done) return deployment;
    if (verdict.fatal) throw new Error(`Deployment ${watch.name} did not roll out: ${verdict.problem}`);
    const pods = podProblems(await watch.listPods());
    if (pods.crashLooping) throw new Error(`Deployment ${watch.name} did not roll out: ${pods.crashLooping}`);
    if (Date.now() > deadline) {
      const why = [verdict.problem, ...pods.problems].join('; ');
      throw new Error(`Deployment ${watch.name} not rolled out within ${Math.round(watch.timeoutMs / 1000)} s (${why})`);
    }
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - Date.now())), watch.signal);
  }
}
