// How long the driver waits on the engine. Read from the environment at each use (not at import),
// so a test or an operator can change them without reloading the module.
function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
export const readyTimeoutMs = (): number => envMs('AOS_DOCKER_READY_TIMEOUT_MS', 120_000);
/** Seconds a container gets to exit after SIGTERM before Docker kills it (Docker's own default). */
export const stopGraceSeconds = (): number => Math.round(envMs('AOS_DOCKER_STOP_TIMEOUT_SECONDS', 10));
export const pullTimeoutMs = (): number => envMs('AOS_DOCKER_PULL_TIMEOUT_MS', 300_000);
