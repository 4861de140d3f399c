// How long the Kubernetes driver waits on an API server: the worker's configuration (config.ts
// reads them from the environment), handed to the provider when it is built.

export interface KubernetesSettings {
  /** How long a Deployment gets to roll out (AOS_KUBERNETES_ROLLOUT_TIMEOUT_MS). */
  rolloutTimeoutMs: number;
  /** Bound of one API request, connection to last byte (AOS_KUBERNETES_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /**
   * The most one answer may carry: the client parses whole bodies, so a peer streaming forever
   * would take the worker's memory. Lists of one stack's objects stay far below it.
   */
  maxAnswerBytes: number;
}

export const DEFAULT_KUBERNETES_SETTINGS: KubernetesSettings = {
  rolloutTimeoutMs: 300_000,
  requestTimeoutMs: 30_000,
  maxAnswerBytes: 8 * 1024 * 1024,
};
