import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ELEMENT_PARALLELISM } from './domain/lifecycle.js';
import { DEFAULT_DELETED_STACK_RETENTION_DAYS } from './domain/stack-state.js';
import { nodePortRange } from './drivers/docker/ports.js';
import { DEFAULT_DOCKER_SETTINGS, type DockerSettings } from './drivers/docker/settings.js';
import { parseEndpointPolicy, platformServices, type EndpointPolicy } from './drivers/endpoint-policy.js';
import { DEFAULT_KUBERNETES_SETTINGS, type KubernetesSettings } from './drivers/kubernetes/settings.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AosConfig {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  dataDir: string;
  host: string;
  port: number;
  production: boolean;
  adminToken: string | null;
  auditRetentionDays: number;
  /** Days a deleted stack stays readable (status DELETED) before the hourly maintenance removes it. */
  deletedStackRetentionDays: number;
  /** Largest accepted GraphQL request body, in bytes. */
  maxBodyBytes: number;
  /** graphql-ws connections one token may hold open at once, per API process. */
  maxSocketsPerToken: number;
  /** Bytes waiting to be sent on one socket past which it is closed as a slow consumer (RESUME_CLOSE_CODE). */
  subscriberBufferBytes: number;
  /**
   * Key sealing secrets at rest (secret inputs and attributes, cluster credentials). Required in
   * production; elsewhere a fixed development key stands in, with a warning.
   */
  secretKey: string | null;
  /** Elements of one install wave deployed at once. */
  elementParallelism: number;
  /** Seconds between two health checks of a stack; 0 turns the monitor off. */
  healthIntervalSeconds: number;
  /** AOS_CLUSTER_ENDPOINT_POLICY: what tenants' cluster registrations may point at. */
  clusterEndpointPolicy: EndpointPolicy;
  /** The Docker driver's waiting times and NodePort range (AOS_DOCKER_*_TIMEOUT*, AOS_NODEPORT_RANGE). */
  docker: DockerSettings;
  /** The Kubernetes driver's waiting times (AOS_KUBERNETES_ROLLOUT_TIMEOUT_MS, AOS_KUBERNETES_REQUEST_TIMEOUT_MS). */
  kubernetes: KubernetesSettings;
  /**
   * AOS_METRICS_TOKEN: bearer token for `/metrics` (API and worker); grants nothing else. Unset:
   * only loopback clients read the metrics.
   */
  metricsToken: string | null;
  /** AOS_WORKER_METRICS_PORT: where the worker serves `/metrics` (0: not at all). */
  workerMetricsPort: number;
  /** AOS_WORKER_METRICS_HOST: the address the worker's metrics server binds to. */
  workerMetricsHost: string;
  /** AOS_CONSOLE (`off` turns it off): the web console at /console/, production included. */
  console: boolean;
  /** The console's built files (scripts/lib.sh `aos_build_console` writes them). */
  consoleDir: string;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** The Docker driver's settings; a bad value stops the worker at start rather than at a deploy. */
function dockerSettingsFromEnv(): DockerSettings {
  const defaults = DEFAULT_DOCKER_SETTINGS;
  return {
    readyTimeoutMs: Math.max(1, intFromEnv('AOS_DOCKER_READY_TIMEOUT_MS', defaults.readyTimeoutMs)),
    // 0 is Docker's "kill at once".
    stopGraceSeconds: intFromEnv('AOS_DOCKER_STOP_TIMEOUT_SECONDS', defaults.stopGraceSeconds),
    pullTimeoutMs: Math.max(1, intFromEnv('AOS_DOCKER_PULL_TIMEOUT_MS', defaults.pullTimeoutMs)),
    nodePortRange: nodePortRange(process.env.AOS_NODEPORT_RANGE, defaults.nodePortRange),
  };
}

/** The Kubernetes driver's settings; a bad value stops the worker at start rather than at a deploy. */
function kubernetesSettingsFromEnv(): KubernetesSettings {
  const defaults = DEFAULT_KUBERNETES_SETTINGS;
  return {
    ...defaults,
    rolloutTimeoutMs: Math.max(1, intFromEnv('AOS_KUBERNETES_ROLLOUT_TIMEOUT_MS', defaults.rolloutTimeoutMs)),
    requestTimeoutMs: Math.max(1, intFromEnv('AOS_KUBERNETES_REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs)),
  };
}

function portFromEnv(name: string, fallback: number): number {
  const value = intFromEnv(name, fallback);
  if (value > 65_535) throw new Error(`${name} must be a port number (0-65535), got ${value}`);
  return value;
}

/** A publicly known key: it seals nothing against anyone who has read this file. */
const DEVELOPMENT_SECRET_KEY = 'aos-development-key-set-AOS_SECRET_KEY';
let warnedDevelopmentKey = false;

/**
 * The key of the secret box. In production there is none to fall back on: the API and the worker
 * refuse to start without AOS_SECRET_KEY rather than seal secrets with a public key.
 */
export function secretKeyOf(config: Pick<AosConfig, 'secretKey' | 'production'>): string {
  if (config.secretKey) return config.secretKey;
  if (config.production) throw new Error('AOS_SECRET_KEY is not set: in production (NODE_ENV=production) AOS refuses to seal secrets with the public development key');
  if (!warnedDevelopmentKey) {
    warnedDevelopmentKey = true;
    console.warn('[aos] AOS_SECRET_KEY is not set: secrets are sealed with a public development key (never do this in production)');
  }
  return DEVELOPMENT_SECRET_KEY;
}

export function loadConfig(overrides: Partial<AosConfig> = {}): AosConfig {
  const dataDir = process.env.AOS_DATA_DIR ?? path.join(repoRoot, '.aos');
  const config: Omit<AosConfig, 'clusterEndpointPolicy'> & Partial<AosConfig> = {
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://aos:aos@127.0.0.1:5432/aos',
    temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.AOS_TASK_QUEUE ?? 'aos',
    dataDir,
    host: process.env.AOS_HOST ?? '127.0.0.1',
    port: intFromEnv('AOS_PORT', 4000),
    production: process.env.NODE_ENV === 'production',
    adminToken: process.env.AOS_ADMIN_TOKEN || null,
    auditRetentionDays: intFromEnv('AOS_AUDIT_RETENTION_DAYS', 7),
    deletedStackRetentionDays: Math.max(0, intFromEnv('AOS_DELETED_STACK_RETENTION_DAYS', DEFAULT_DELETED_STACK_RETENTION_DAYS)),
    maxBodyBytes: intFromEnv('AOS_MAX_BODY_BYTES', 2 * 1024 * 1024),
    maxSocketsPerToken: Math.max(1, intFromEnv('AOS_MAX_SOCKETS_PER_TOKEN', 100)),
    subscriberBufferBytes: Math.max(16 * 1024, intFromEnv('AOS_SUBSCRIBER_BUFFER_BYTES', 1024 * 1024)),
    secretKey: process.env.AOS_SECRET_KEY || null,
    elementParallelism: Math.max(1, intFromEnv('AOS_ELEMENT_PARALLELISM', DEFAULT_ELEMENT_PARALLELISM)),
    healthIntervalSeconds: intFromEnv('AOS_HEALTH_INTERVAL_SECONDS', 30),
    metricsToken: process.env.AOS_METRICS_TOKEN || null,
    workerMetricsPort: portFromEnv('AOS_WORKER_METRICS_PORT', 9464),
    workerMetricsHost: process.env.AOS_WORKER_METRICS_HOST || '127.0.0.1',
    console: process.env.AOS_CONSOLE !== 'off',
    consoleDir: path.join(repoRoot, 'dist', 'console'),
    docker: dockerSettingsFromEnv(),
    kubernetes: kubernetesSettingsFromEnv(),
    ...overrides,
  };
  // Parsed here, so that a policy that cannot be applied stops the API and the worker at start.
  // The platform's own services (database, Temporal, API, engines) are never a tenant's endpoint.
  const clusterEndpointPolicy =
    config.clusterEndpointPolicy ??
    parseEndpointPolicy(process.env.AOS_CLUSTER_ENDPOINT_POLICY, platformServices({ databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress, apiHost: config.host, apiPort: config.port }));
  return { ...config, clusterEndpointPolicy };
}
