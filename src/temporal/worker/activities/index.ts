import type { MikroORM } from '@mikro-orm/postgresql';
import { purgeAuditRecords } from '../../../audit/audit.js';
import type { AosConfig } from '../../../config.js';
import type { DriverRegistry } from '../../../drivers/registry.js';
import type { WorkerMetrics } from '../../../observability/metrics.js';
import type { SecretBox } from '../../../security/secret-box.js';
import { purgeDeletedStacks } from '../../../services/deleted-stacks.js';
import { createHealthActivities } from './health.js';
import { createStackActivities } from './stack.js';

export interface ActivityDeps {
  orm: MikroORM;
  config: AosConfig;
  drivers: DriverRegistry;
  secrets: SecretBox;
  /** Length of one "minute" of a stack timeout (tests shrink it). */
  timeoutUnitMs?: number;
  /** Overrides the health check interval (tests shorten it). */
  monitorIntervalMs?: number;
  /** Lifecycle action counters (started, finished by outcome); none: nothing is counted. */
  metrics?: WorkerMetrics;
}

/**
 * Every activity the worker offers, and the dependencies they share. Configuration reaches the
 * drivers through `drivers` (built from AosConfig by the worker); the node type catalog is the
 * template module's, fixed data rather than configuration.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createStackActivities({ ...deps, parallelism: deps.config.elementParallelism, monitorIntervalMs: (deps.monitorIntervalMs ?? deps.config.healthIntervalSeconds * 1000) }),
    ...createHealthActivities(deps),
    /** Retention of audit records (AOS_AUDIT_RETENTION_DAYS, 7 by default). */
    async purgeExpiredAuditRecords(): Promise<number> {
      return purgeAuditRecords(deps.orm.em.fork(), deps.config.auditRetentionDays);
    },
    /** Retention of deleted stacks (AOS_DELETED_STACK_RETENTION_DAYS, 30 by default), with their events and elements. */
    async purgeExpiredDeletedStacks(): Promise<number> {
      return purgeDeletedStacks(deps.orm.em.fork(), deps.config.deletedStackRetentionDays);
    },
    /** Proves the worker reaches PostgreSQL: the server's clock. */
    async databaseTime(): Promise<string> {
      const rows = await deps.orm.em.fork().getConnection().execute<{ now: Date }[]>('select now() as now');
      return new Date(rows[0].now).toISOString();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
