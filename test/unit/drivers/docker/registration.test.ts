// DOCKER clusters' registration grammar: one endpoint grammar for registration and client alike,
// and the publish address.
import { describe, expect, it } from 'vitest';
import { createDockerProvider, DEFAULT_DOCKER_SETTINGS } from '../../../../src/drivers/docker/index.js';
import { parseDockerEndpoint, readDockerEndpoint } from '../../../../src/drivers/docker/endpoint.js';

const docker = createDockerProvider(DEFAULT_DOCKER_SETTINGS);

describe('Docker endpoints', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['tcp://engine.example.com:2376', { kind: 'tcp', host: 'engine.example.com', port: 2376 }],
    ['tcp://10.0.0.5:2375', { kind: 'tcp', host: '10.0.0.5', port: 2375 }],
    ['tcp://[fd00::5]:2375', { kind: 'tcp', host: 'fd00::5', port: 2375 }],
  ])('reads %j', (text, endpoint) => {
    expect(readDockerEndpoint(text)).toEqual({ endpoint });
    expect(parseDockerEndpoint(text)).toEqual(endpoint);
  });

  it.each(['http://engine:2375', 'tcp://engine:2375/', 'tcp://engine', 'tcp://engine:0', 'tcp://engine:70000', 'unix://relative.sock', 'npipe:////./pipe/docker', 'tcp://a b:2375', `unix:///${'x'.repeat(1100)}`])(
    'refuses %j, at registration and in the client alike',
    async (text) => {
      expect(readDockerEndpoint(text)).toHaveProperty('problem');
      expect(() => parseDockerEndpoint(text)).toThrow(/unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port/);
      const checked = await docker.validateRegistration({ endpoint: text }, null);
      expect(checked.problems.map((p) => p.path)).toEqual(['endpoint']);
    },
  );

  it('publishes on 127.0.0.1 by default and takes only an IP address as publishAddress', async () => {
    expect(await docker.validateRegistration({ endpoint: 'unix:///var/run/docker.sock' }, null)).toMatchObject({ publishAddress: '127.0.0.1', credentials: null, problems: [] });
    expect((await docker.validateRegistration({ endpoint: 'unix:///var/run/docker.sock', publishAddress: '::ffff:10.1.2.3' }, null)).publishAddress).toBe('10.1.2.3');
    const named = await docker.validateRegistration({ endpoint: 'unix:///var/run/docker.sock', publishAddress: 'engine.example.com' }, null);
    expect(named.problems).toEqual([expect.objectContaining({ path: 'publishAddress' })]);
    expect((await docker.validateRegistration({}, null)).problems).toEqual([expect.objectContaining({ path: 'endpoint', code: 'MISSING_VALUE' })]);
  });
});
