// How long the Docker driver waits on the engine, and the host ports it may publish on: the
// worker's configuration (config.ts reads them from the environment), handed to the driver when
// it is built.
import type { PortRange } from '../workload/spec.js';

export interface DockerSettings {
  /** How long a container gets to run and answer its probe (AOS_DOCKER_READY_TIMEOUT_MS). */
  readyTimeoutMs: number;
  /** Seconds a container gets to exit after SIGTERM before Docker kills it (AOS_DOCKER_STOP_TIMEOUT_SECONDS; Docker's own default). */
  stopGraceSeconds: number;
  /** Bound of one image pull (AOS_DOCKER_PULL_TIMEOUT_MS). */
  pullTimeoutMs: number;
  /** Host ports for NodePort services (AOS_NODEPORT_RANGE). */
  nodePortRange: PortRange;
}

export const DEFAULT_DOCKER_SETTINGS: DockerSettings = {
  readyTimeoutMs: 120_000,
  stopGraceSeconds: 10,
  pullTimeoutMs: 300_000,
  nodePortRange: { min: 30000, max: 32767 },
};
