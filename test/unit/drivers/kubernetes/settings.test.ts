// The Kubernetes driver's waiting times come from the configuration, read once at load.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import { DEFAULT_KUBERNETES_SETTINGS } from '../../../../src/drivers/kubernetes/settings.js';

const NAMES = ['AOS_KUBERNETES_ROLLOUT_TIMEOUT_MS', 'AOS_KUBERNETES_REQUEST_TIMEOUT_MS'];

describe('Kubernetes settings from the configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('has the documented defaults and reads the variables', () => {
    for (const name of NAMES) delete process.env[name];
    expect(loadConfig().kubernetes).toEqual({ rolloutTimeoutMs: 300_000, requestTimeoutMs: 30_000, maxAnswerBytes: 8 * 1024 * 1024 });
    expect(loadConfig().kubernetes).toEqual(DEFAULT_KUBERNETES_SETTINGS);
    process.env.AOS_KUBERNETES_ROLLOUT_TIMEOUT_MS = '60000';
    process.env.AOS_KUBERNETES_REQUEST_TIMEOUT_MS = '5000';
    expect(loadConfig().kubernetes).toMatchObject({ rolloutTimeoutMs: 60_000, requestTimeoutMs: 5_000 });
  });

  it('refuses a bad value at start, naming the variable', () => {
    process.env.AOS_KUBERNETES_REQUEST_TIMEOUT_MS = 'soon';
    expect(() => loadConfig()).toThrow(/AOS_KUBERNETES_REQUEST_TIMEOUT_MS/);
  });
});
