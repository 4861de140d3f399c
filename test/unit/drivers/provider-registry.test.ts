// The provider registry: an element's driver is found by its type on its cluster's kind, and the
// Docker driver's settings come from the configuration, not from the environment at each use.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { DEFAULT_DOCKER_SETTINGS } from '../../../src/drivers/docker/index.js';
import { createDriverRegistry, driverFor, findDriver, providerOf } from '../../../src/drivers/registry.js';
import { CLUSTER_KINDS } from '../../../src/domain/cluster-kinds.js';
import { PermanentDriverError, type ElementDriver } from '../../../src/drivers/types.js';

const registry = createDriverRegistry({ docker: DEFAULT_DOCKER_SETTINGS });
const APP = 'CTC.ServiceStage.StatelessApplication';

describe('provider registry', () => {
  it('has one provider per cluster kind, each with its own credential field', () => {
    expect([...registry.providers.keys()].sort()).toEqual([...CLUSTER_KINDS].sort());
    // publishAddress means "where what the cluster serves is reached" for every kind, and
    // stopGracePeriodSeconds a workload cluster's default stop grace (DOCKER and KUBERNETES).
    const shared = new Set(['publishAddress', 'stopGracePeriodSeconds']);
    const credentials = CLUSTER_KINDS.map((kind) => providerOf(registry, kind).registrationFields.filter((field) => !shared.has(field)));
    expect(credentials.map((fields) => fields.length)).toEqual(CLUSTER_KINDS.map(() => 1));
    expect(new Set(credentials.flat()).size).toBe(CLUSTER_KINDS.length);
  });

  it('finds a type on the kind that deploys it, and says "no driver" on another kind', () => {
    expect(driverFor(registry, APP, 'DOCKER').type).toBe(APP);
    expect(driverFor(registry, APP, 'KUBERNETES').type).toBe(APP);
    expect(driverFor(registry, 'CTC.ServiceStage.ContainerComponent', 'KUBERNETES').type).toBe('CTC.ServiceStage.ContainerComponent');
    expect(findDriver(registry, APP, 'POSTGRESQL')).toBeUndefined();
    const failure = (() => {
      try {
        driverFor(registry, APP, 'POSTGRESQL');
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(PermanentDriverError);
    expect((failure as PermanentDriverError).reason).toBe('NoDriver');
    expect((failure as Error).message).toContain('on a POSTGRESQL cluster');
    expect(() => driverFor(registry, APP, null)).toThrow(/without a cluster/);
  });

  it('deploys clusterless types (and extras) on any kind, even without a cluster', () => {
    const extra: ElementDriver = { type: 'Test.Extra', create: async () => ({ physicalId: null, attributes: {} }), delete: async () => undefined };
    const withExtra = createDriverRegistry({ docker: DEFAULT_DOCKER_SETTINGS }, [extra]);
    for (const kind of [...CLUSTER_KINDS, null]) {
      expect(driverFor(withExtra, 'CTC.Core.RandomString', kind).type).toBe('CTC.Core.RandomString');
      expect(driverFor(withExtra, 'Test.Extra', kind)).toBe(extra);
    }
    expect(findDriver(registry, 'Test.Extra', 'DOCKER')).toBeUndefined();
  });
});

describe('Docker settings from the configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['AOS_DOCKER_READY_TIMEOUT_MS', 'AOS_DOCKER_STOP_TIMEOUT_SECONDS', 'AOS_DOCKER_PULL_TIMEOUT_MS', 'AOS_NODEPORT_RANGE']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('reads the variables once, at load', () => {
    process.env.AOS_DOCKER_READY_TIMEOUT_MS = '5000';
    process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS = '0';
    process.env.AOS_DOCKER_PULL_TIMEOUT_MS = '7000';
    process.env.AOS_NODEPORT_RANGE = '31000-31010';
    const config = loadConfig();
    expect(config.docker).toEqual({ readyTimeoutMs: 5000, stopGraceSeconds: 0, pullTimeoutMs: 7000, nodePortRange: { min: 31000, max: 31010 } });
    process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS = '30';
    expect(config.docker.stopGraceSeconds).toBe(0);
  });

  it('has the documented defaults', () => {
    for (const name of ['AOS_DOCKER_READY_TIMEOUT_MS', 'AOS_DOCKER_STOP_TIMEOUT_SECONDS', 'AOS_DOCKER_PULL_TIMEOUT_MS', 'AOS_NODEPORT_RANGE']) delete process.env[name];
    expect(loadConfig().docker).toEqual({ readyTimeoutMs: 120_000, stopGraceSeconds: 10, pullTimeoutMs: 300_000, nodePortRange: { min: 30000, max: 32767 } });
  });

  it('refuses a bad value at start, naming the variable', () => {
    process.env.AOS_NODEPORT_RANGE = '32000-31000';
    expect(() => loadConfig()).toThrow(/AOS_NODEPORT_RANGE/);
    delete process.env.AOS_NODEPORT_RANGE;
    process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS = 'ten';
    expect(() => loadConfig()).toThrow(/AOS_DOCKER_STOP_TIMEOUT_SECONDS/);
  });
});
