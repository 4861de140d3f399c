// Which of a stack's clusters an element goes to: its own cluster when that cluster's kind deploys
// the element's type (or the type needs no cluster), else the service cluster whose kind does.
// Outside services/ for the reason cluster-target.ts is: the API and the worker both decide it.
import type { Cluster, Stack } from '../db/entities/index.js';
import { findDriver, type DriverRegistry } from '../drivers/registry.js';
import type { ElementDriver } from '../drivers/types.js';

/** The stack with its cluster and service clusters loaded. */
type StackClusters = Pick<Stack, 'cluster' | 'serviceClusters'>;

export function serviceClustersOf(stack: StackClusters): Cluster[] {
  return stack.serviceClusters.isInitialized() ? stack.serviceClusters.getItems() : [];
}

export function clusterOfElement(registry: DriverRegistry, stack: StackClusters, type: string): Cluster | null {
  const own = stack.cluster ?? null;
  if (registry.clusterless.has(type) || (own && findDriver(registry, type, own.kind))) return own;
  return serviceClustersOf(stack).find((cluster) => findDriver(registry, type, cluster.kind)) ?? own;
}

/** The driver that deploys an element of `type` on its cluster, if there is one. */
export function driverOfElement(registry: DriverRegistry, stack: StackClusters, type: string): ElementDriver | undefined {
  return findDriver(registry, type, clusterOfElement(registry, stack, type)?.kind);
}
