import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AlarmSchema, StackElementSchema, StackSchema } from '../../../db/entities/index.js';
import type { StackStatus } from '../../../domain/stack-state.js';
import { findDriver, type DriverRegistry } from '../../../drivers/registry.js';
import type { HealthReport } from '../../../drivers/types.js';
import { publish } from '../../../events/publish.js';
import { recordStackEvent } from '../../../events/stack-events.js';
import { clusterOfElement, driverOfElement } from '../../../clusters/element-cluster.js';
import { elementContextOf, type ElementContextDeps } from './element-context.js';

export interface HealthActivityDeps extends ElementContextDeps {
  orm: MikroORM;
  drivers: DriverRegistry;
}

/** Statuses the monitor may move a stack between: only when its last action completed. */
const MONITORED: StackStatus[] = ['NORMAL', 'ABNORMAL', 'PARTIALLY_STOPPED', 'STOPPED'];

export function createHealthActivities(deps: HealthActivityDeps) {
  return {
    /**
     * One round of checks: element health from the drivers, alarms raised and cleared, the
     * stack's status following (NORMAL ↔ ABNORMAL, PARTIALLY_STOPPED). Returns done=true when
     * there is nothing left to watch (the stack is gone, DELETED or back to INITIAL).
     */
    async checkStackHealth(input: { stackId: string }): Promise<{ done: boolean }> {
      const em = deps.orm.em.fork();
      const stack = await em.findOne(StackSchema, { id: input.stackId }, { populate: ['tenant', 'cluster', 'serviceClusters'] });
      if (!stack || stack.status === 'INITIAL' || stack.status === 'DELETED') return { done: true };
      // An action owns the stack while it runs; a failed action's ABNORMAL is not the monitor's to lift.
      if (stack.status === 'PROCESSING' || stack.actionState !== 'COMPLETE' || !MONITORED.includes(stack.status)) return { done: false };

      const elements = await em.find(StackElementSchema, { stack, physicalId: { $ne: null } });
      const reports = new Map<string, HealthReport>();
      for (const element of elements) {
        const cluster = clusterOfElement(deps.drivers, stack, element.type);
        const driver = findDriver(deps.drivers, element.type, cluster?.kind);
        if (!driver?.health) continue;
        const ctx = elementContextOf(deps, stack, element.name, cluster, { quiet: true });
        let report: HealthReport;
        try {
          report = await driver.health(ctx, { physicalId: element.physicalId ?? null, attributes: deps.secrets.openAll(element.attributes ?? {}) });
        } catch (error) {
          report = { health: 'UNKNOWN', message: `the health check failed: ${error instanceof Error ? error.message : String(error)}` };
        }
        reports.set(element.name, report);
        if (report.health !== element.health) {
          await recordStackEvent(em, {
            tenantId: stack.tenant.id,
            stackId: stack.id,
            type: 'ELEMENT_HEALTH_CHANGED',
            element: element.name,
            status: report.health,
            message: `${element.name}: ${element.health} → ${report.health}${report.message ? ` (${report.message})` : ''}`,
          });
          element.health = report.health;
        }
        const open = await em.findOne(AlarmSchema, { stack, element: element.name, clearedAt: null });
        if (report.health === 'ABNORMAL' && !open) {
          em.create(AlarmSchema, { id: randomUUID(), stack, element: element.name, message: report.message ?? `${element.name} is unhealthy` });
          await recordStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type: 'ALARM_RAISED', element: element.name, status: 'ABNORMAL', message: report.message ?? `${element.name} is unhealthy` });
        } else if (report.health === 'HEALTHY' && open) {
          open.clearedAt = new Date();
          await recordStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type: 'ALARM_CLEARED', element: element.name, status: 'HEALTHY', message: `${element.name} is healthy again` });
        }
      }

      const all = [...reports.values()];
      // Only elements that can stop say whether the stack is stopped (a RandomString never is).
      const stoppable = elements.filter((e) => driverOfElement(deps.drivers, stack, e.type)?.stop && reports.has(e.name)).map((e) => reports.get(e.name) as HealthReport);
      let next: StackStatus = stack.status;
      if (all.some((r) => r.health === 'ABNORMAL')) next = 'ABNORMAL';
      else if (stoppable.length > 0 && stoppable.every((r) => r.stopped)) next = 'STOPPED';
      else if (stoppable.some((r) => r.stopped)) next = 'PARTIALLY_STOPPED';
      else if (all.every((r) => r.health === 'HEALTHY')) next = 'NORMAL';
      if (next !== stack.status && !(stack.status === 'STOPPED' && next === 'NORMAL')) {
        await recordStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type: 'STACK_HEALTH_CHANGED', status: next, message: `stack ${stack.status} → ${next} after a health check` });
        stack.status = next;
      }
      await em.flush();
      await publish(em, 'stack.changed', { tenantId: stack.tenant.id, stackId: stack.id });
      return { done: false };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
