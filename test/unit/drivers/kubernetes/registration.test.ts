// The grammar of a KUBERNETES registration: a kubeconfig whose current context names a server and
// embedded credentials; nothing that runs a command or reads a file on the service's hosts; the
// API server checked against the endpoint policy for a tenant's registration. (That the API never
// returns the kubeconfig is test/api/clusters.test.ts's.)
import { describe, expect, it } from 'vitest';
import { parseEndpointPolicy, platformServices } from '../../../../src/drivers/endpoint-policy.js';
import { createKubernetesProvider } from '../../../../src/drivers/kubernetes/cluster.js';
import { DEFAULT_KUBERNETES_SETTINGS } from '../../../../src/drivers/kubernetes/settings.js';

const provider = createKubernetesProvider(DEFAULT_KUBERNETES_SETTINGS);
const TOKEN = 'registration-token-value';

function kubeconfig(server: string, user: Record<string, unknown> = { token: TOKEN }, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u' } }],
  });
}

async function problems(kubeconfigText: string | undefined, policy = null as ReturnType<typeof parseEndpointPolicy> | null) {
  return (await provider.validateRegistration({ kubeconfig: kubeconfigText }, policy)).problems;
}

describe('KUBERNETES registration', () => {
  it('reads the kubeconfig, where NodePorts are reached and the default stop grace', () => {
    expect(provider.registrationFields).toEqual(['kubeconfig', 'publishAddress', 'stopGracePeriodSeconds']);
  });

  it("publishes NodePorts on the API server's host by default, or on the host name or address given", async () => {
    const text = kubeconfig('https://k8s.example.com:6443/');
    expect((await provider.validateRegistration({ kubeconfig: text }, null)).publishAddress).toBe('k8s.example.com');
    expect((await provider.validateRegistration({ kubeconfig: kubeconfig('https://[fd00::1]:6443') }, null)).publishAddress).toBe('fd00::1');
    expect((await provider.validateRegistration({ kubeconfig: text, publishAddress: 'nodes.example.com' }, null)).publishAddress).toBe('nodes.example.com');
    expect((await provider.validateRegistration({ kubeconfig: text, publishAddress: '::ffff:203.0.113.7' }, null)).publishAddress).toBe('203.0.113.7');
    for (const bad of ['', 'nodes:30000', 'http://nodes', 'x'.repeat(65)]) {
      expect((await provider.validateRegistration({ kubeconfig: text, publishAddress: bad }, null)).problems, bad).toEqual([expect.objectContaining({ path: 'publishAddress' })]);
    }
  });

  it('accepts embedded credentials; shows the server, seals the kubeconfig', async () => {
    const text = kubeconfig('https://k8s.example.com:6443/', { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }, { 'certificate-authority-data': 'Y2E=' });
    const checked = await provider.validateRegistration({ kubeconfig: text }, null);
    expect(checked.problems).toEqual([]);
    expect(checked.endpoint).toBe('https://k8s.example.com:6443');
    expect(checked.credentials).toEqual({ kubeconfig: text });
    expect(JSON.stringify({ endpoint: checked.endpoint, publishAddress: checked.publishAddress })).not.toContain(TOKEN);
  });

  it('refuses a missing, unreadable or contextless kubeconfig', async () => {
    expect(await problems(undefined)).toEqual([expect.objectContaining({ path: 'kubeconfig', code: 'MISSING_VALUE' })]);
    expect(await problems('clusters: [')).toEqual([expect.objectContaining({ message: 'the kubeconfig is not valid YAML' })]);
    expect(await problems('apiVersion: v1\nkind: Config\n')).toEqual([expect.objectContaining({ message: expect.stringMatching(/no usable context/) })]);
    expect(await problems(kubeconfig('ftp://k8s.example.com'))).toEqual([expect.objectContaining({ message: expect.stringMatching(/https/) })]);
    expect(await problems('x'.repeat(300 * 1024))).toEqual([expect.objectContaining({ message: expect.stringMatching(/larger than/) })]);
  });

  it('refuses whatever would run a command or read a file on the service hosts', async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ exec: { command: 'sh', args: ['-c', 'id'] } }, {}, 'exec'],
      [{ 'auth-provider': { name: 'gcp' } }, {}, 'auth-provider'],
      [{ tokenFile: '/var/run/secrets/token' }, {}, 'tokenFile'],
      [{ 'client-certificate': '/etc/cert.pem' }, {}, 'client-certificate'],
      [{ 'client-key': '/etc/shadow' }, {}, 'client-key'],
      [{ token: TOKEN }, { 'certificate-authority': '/etc/ca.pem' }, 'certificate-authority'],
    ];
    for (const [user, cluster, field] of cases) {
      expect(await problems(kubeconfig('https://k8s.example.com', user, cluster))).toEqual([expect.objectContaining({ path: 'kubeconfig', message: expect.stringContaining(`"${field}"`) })]);
    }
  });

  it("checks a tenant's API server against the endpoint policy, not the platform's own registration", async () => {
    const policy = parseEndpointPolicy(undefined, platformServices({ databaseUrl: 'postgres://db.invalid:5432/x', temporalAddress: 'temporal.invalid:7233', apiHost: 'api.invalid', apiPort: 4000 }));
    expect(await problems(kubeconfig('https://127.0.0.1:6443'), policy)).toEqual([expect.objectContaining({ path: 'kubeconfig', code: 'ENDPOINT_NOT_ALLOWED' })]);
    expect(await problems(kubeconfig('https://[::ffff:169.254.169.254]'), policy)).toEqual([expect.objectContaining({ code: 'ENDPOINT_NOT_ALLOWED' })]);
    expect(await problems(kubeconfig('https://127.0.0.1:6443'), null)).toEqual([]);
  });
});
