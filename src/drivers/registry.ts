import { randomStringDriver } from './core/random-string.js';
import { dockerDrivers } from './docker/index.js';
import { PermanentDriverError, type ElementDriver } from './types.js';

export type DriverRegistry = ReadonlyMap<string, ElementDriver>;

/** The drivers a worker offers: the built-in ones, plus extras (tests add fault injection). */
export function createDriverRegistry(extra: readonly ElementDriver[] = []): DriverRegistry {
  const registry = new Map<string, ElementDriver>();
  for (const driver of [randomStringDriver, ...dockerDrivers, ...extra]) registry.set(driver.type, driver);
  return registry;
}

export function driverFor(registry: DriverRegistry, type: string): ElementDriver {
  const driver = registry.get(type);
  if (!driver) throw new PermanentDriverError(`no driver deploys elements of type ${type} on this worker yet`, 'NoDriver');
  return driver;
}
