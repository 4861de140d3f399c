// The cluster providers and element drivers a process offers. An element's driver is found by its
// type on the kind of its stack's cluster; a few types need no cluster at all (generated secrets,
// tests' fault injection) and are found on any.
import { randomStringDriver } from './core/random-string.js';
import { createDockerProvider, type DockerSettings } from './docker/index.js';
import { createKubernetesProvider } from './kubernetes/cluster.js';
import { DEFAULT_KUBERNETES_SETTINGS, type KubernetesSettings } from './kubernetes/settings.js';
import { postgresqlProvider } from './postgresql/cluster.js';
import { PermanentDriverError, type ClusterKind, type ClusterProvider, type ElementDriver } from './types.js';

export interface DriverRegistry {
  readonly providers: ReadonlyMap<ClusterKind, ClusterProvider>;
  /** Types deployed without a cluster, on any stack. */
  readonly clusterless: ReadonlyMap<string, ElementDriver>;
}

export interface DriverSettings {
  docker: DockerSettings;
  /** Absent: the defaults (a process that deploys nothing on Kubernetes, e.g. the API). */
  kubernetes?: KubernetesSettings;
}

/** The built-in providers configured with `settings`, plus clusterless extras (tests add fault injection). */
export function createDriverRegistry(settings: DriverSettings, extra: readonly ElementDriver[] = []): DriverRegistry {
  const providers = [createDockerProvider(settings.docker), createKubernetesProvider(settings.kubernetes ?? DEFAULT_KUBERNETES_SETTINGS), postgresqlProvider];
  return {
    providers: new Map(providers.map((provider) => [provider.kind, provider])),
    clusterless: new Map([randomStringDriver, ...extra].map((driver) => [driver.type, driver])),
  };
}

export function providerOf(registry: DriverRegistry, kind: ClusterKind): ClusterProvider {
  const provider = registry.providers.get(kind);
  if (!provider) throw new Error(`no provider for ${kind} clusters`);
  return provider;
}

/** The driver of `type` on a cluster of `kind` (none: the stack has no cluster), if there is one. */
export function findDriver(registry: DriverRegistry, type: string, kind: ClusterKind | null | undefined): ElementDriver | undefined {
  return registry.clusterless.get(type) ?? (kind ? registry.providers.get(kind)?.drivers.find((driver) => driver.type === type) : undefined);
}

export function driverFor(registry: DriverRegistry, type: string, kind: ClusterKind | null | undefined): ElementDriver {
  const driver = findDriver(registry, type, kind);
  if (!driver) throw new PermanentDriverError(`no driver deploys elements of type ${type} on ${kind ? `a ${kind} cluster` : 'a stack without a cluster'} yet`, 'NoDriver');
  return driver;
}
