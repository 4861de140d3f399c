import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  /** Largest accepted GraphQL request body, in bytes. */
  maxBodyBytes: number;
  /** Key for credentials at rest (cluster kubeconfigs, connection URLs); derived from the data dir when unset. */
  secretKey: string | null;
  /** Elements of one install wave deployed at once. */
  elementParallelism: number;
  /** Seconds between two health checks of a stack; 0 turns the monitor off. */
  healthIntervalSeconds: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** The key of the secret box; a fixed development key only when none was configured. */
export function secretKeyOf(config: Pick<AosConfig, 'secretKey'>): string {
  return config.secretKey ?? 'aos-development-key-set-AOS_SECRET_KEY';
}

export function loadConfig(overrides: Partial<AosConfig> = {}): AosConfig {
  const dataDir = process.env.AOS_DATA_DIR ?? path.join(repoRoot, '.aos');
  return {
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
    maxBodyBytes: intFromEnv('AOS_MAX_BODY_BYTES', 2 * 1024 * 1024),
    secretKey: process.env.AOS_SECRET_KEY || null,
    elementParallelism: Math.max(1, intFromEnv('AOS_ELEMENT_PARALLELISM', 10)),
    healthIntervalSeconds: intFromEnv('AOS_HEALTH_INTERVAL_SECONDS', 30),
    ...overrides,
  };
}
