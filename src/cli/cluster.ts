// `aos cluster …`: the tenant's deployment targets. `npm run up` registers its Docker engine as the
// `local` cluster of the default tenant only. A tenant's ADMIN registers endpoints the platform's
// endpoint policy allows; the platform's own engine (a unix socket, loopback) reaches another
// tenant only through the platform administrator:
// `aos cluster register local --tenant shop --endpoint unix:///…/docker.sock`.

import { readFile } from 'node:fs/promises';
import { expectPositionals, stringOption, UsageError } from './args.js';
import { CliFailure, errorSelection, expectSuccess, printLines, request, type TypedErrorBody } from './client.js';
import { runGroup, type CommandGroup } from './command.js';
import { table } from './format.js';
import { resolveTenant } from './tenant.js';

export const summary = 'clusters (deployment targets): list, register, delete';

interface ClusterBody {
  id: string;
  name: string;
  kind: 'DOCKER' | 'KUBERNETES' | 'POSTGRESQL';
  endpoint: string | null;
  publishAddress: string | null;
  healthy: boolean;
  version: string | null;
  healthMessage: string | null;
}

const CLUSTER_FIELDS = 'id name kind endpoint publishAddress healthy version healthMessage';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function healthText(cluster: ClusterBody): string {
  return cluster.healthy ? `healthy${cluster.version ? ` (${cluster.version})` : ''}` : `UNHEALTHY: ${cluster.healthMessage ?? 'no answer'}`;
}

async function readSecretFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const group: CommandGroup = {
  name: 'cluster',
  summary: 'Clusters',
  subcommands: {
    list: {
      args: '',
      summary: "the tenant's clusters with a live health check (at most 3 s each)",
      async run(parsed, ctx) {
        expectPositionals(parsed, []);
        const { clusters } = await ctx.call<{ clusters: ClusterBody[] }>(`{ clusters { ${CLUSTER_FIELDS} } }`);
        if (!ctx.json) {
          if (clusters.length === 0) printLines(['no clusters: register one with `aos cluster register NAME --endpoint unix:///path/docker.sock`']);
          else printLines(table(['NAME', 'KIND', 'ENDPOINT', 'HEALTH'], clusters.map((c) => [c.name, c.kind, c.endpoint ?? '-', healthText(c)])));
        }
        return 0;
      },
    },
    register: {
      args: 'NAME (--endpoint unix:///path|tcp://host:port [--publish-address IP] | --kubeconfig FILE | --connection-url-file FILE [--publish-address HOST[:PORT]]) [--tenant NAME|ID]',
      summary: 'register a Docker engine (default), a Kubernetes cluster or a PostgreSQL server',
      details: [
        "A tenant's ADMIN registers for its tenant, only at endpoints the platform's policy allows",
        '(AOS_CLUSTER_ENDPOINT_POLICY: no loopback, private or link-local addresses, no unix sockets by default).',
        'The platform administrator registers for any tenant with --tenant: trusted, outside that policy.',
        'The Docker engine of `npm run up` is the AOS_DOCKER_HOST it used: the engine at DOCKER_HOST or',
        '/var/run/docker.sock, else its private dockerd at unix://<repo>/.aos/docker/docker.sock.',
        'Credentials (kubeconfig, connection URL) are read from files, stored encrypted, never shown.',
        "PostgreSQL: --publish-address is where workloads reach the server when it is not the URL's",
        'host and port (e.g. host.docker.internal:15432 for containers on this machine).',
      ],
      options: {
        endpoint: { type: 'string' },
        'publish-address': { type: 'string' },
        kubeconfig: { type: 'string' },
        'connection-url-file': { type: 'string' },
        tenant: { type: 'string' },
      },
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const kubeconfigFile = stringOption(parsed, 'kubeconfig');
        const connectionUrlFile = stringOption(parsed, 'connection-url-file');
        const endpoint = stringOption(parsed, 'endpoint');
        let input: Record<string, string | null>;
        if (kubeconfigFile && connectionUrlFile) throw new UsageError('give either --kubeconfig or --connection-url-file');
        if (kubeconfigFile) input = { name, kind: 'KUBERNETES', kubeconfig: await readSecretFile(kubeconfigFile, 'kubeconfig') };
        else if (connectionUrlFile) {
          input = { name, kind: 'POSTGRESQL', connectionUrl: (await readSecretFile(connectionUrlFile, 'connection URL file')).trim(), publishAddress: stringOption(parsed, 'publish-address') ?? null };
        }
        else {
          if (!endpoint) throw new UsageError('missing --endpoint (a Docker engine: unix:///path/docker.sock or tcp://127.0.0.1:PORT)');
          input = { name, kind: 'DOCKER', endpoint, publishAddress: stringOption(parsed, 'publish-address') ?? null };
        }
        const tenantRef = stringOption(parsed, 'tenant');
        if (tenantRef) input.tenantId = (await resolveTenant(ctx.connection, tenantRef)).id;
        const data = await ctx.call<{ registerCluster: { __typename: 'RegisterClusterSuccess'; cluster: ClusterBody } | TypedErrorBody }>(
          `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ${errorSelection('ValidationError')} ... on RegisterClusterSuccess { cluster { ${CLUSTER_FIELDS} } } } }`,
          { input },
        );
        const { cluster } = expectSuccess(data.registerCluster);
        if (!ctx.json) printLines([`cluster ${cluster.name} registered (${cluster.kind}${cluster.endpoint ? ` ${cluster.endpoint}` : ''}): ${healthText(cluster)}`]);
        return 0;
      },
    },
    delete: {
      args: 'NAME',
      summary: 'remove a cluster no stack uses',
      async run(parsed, ctx) {
        const [name] = expectPositionals(parsed, ['NAME']);
        const { clusters } = await request<{ clusters: { id: string; name: string }[] }>(ctx.connection, '{ clusters { id name } }');
        // Another tenant's cluster (the platform administrator's business) is named by its id.
        const cluster = clusters.find((c) => c.name === name || c.id === name) ?? (UUID.test(name) ? { id: name, name } : undefined);
        if (!cluster) throw new CliFailure(`NotFound: cluster "${name}" not found`);
        const data = await ctx.call<{ deleteCluster: { __typename: 'DeleteClusterSuccess'; clusterId: string } | TypedErrorBody }>(
          `mutation($input: DeleteClusterInput!) { deleteCluster(input: $input) { ${errorSelection('ClusterInUse')} ... on DeleteClusterSuccess { clusterId } } }`,
          { input: { clusterId: cluster.id } },
        );
        expectSuccess(data.deleteCluster);
        if (!ctx.json) printLines([`cluster ${cluster.name} deleted`]);
        return 0;
      },
    },
  },
};

export const run = (args: string[]): Promise<number> => runGroup(group, args);
