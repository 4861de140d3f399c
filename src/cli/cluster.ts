// `aos cluster …`: the tenant's deployment targets. `npm run up` registers its Docker engine as the
// `local` cluster of the default tenant only. A tenant's ADMIN registers endpoints the platform's
// endpoint policy allows; the platform's own engine (a unix socket, loopback) reaches another
// tenant only through the platform administrator:
// `aos cluster register local --tenant shop --endpoint unix:///…/docker.sock`.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ClustersDocument, DeleteClusterDocument, RegisterClusterDocument, type ClustersQuery, type RegisterClusterInput } from '../sdk/generated/graphql.js';
import { intOption, stringOption, UUID } from './args.js';
import { expectSuccess, notFound } from './client.js';
import { action, subcommand } from './command.js';
import { CliFailure, UsageError } from './failure.js';
import { table } from './format.js';
import { emptyList } from './output.js';
import { resolveTenant } from './tenant.js';

type ClusterBody = ClustersQuery['clusters'][number];

function healthText(cluster: Pick<ClusterBody, 'healthy' | 'version' | 'healthMessage'>): string {
  return cluster.healthy ? `healthy${cluster.version ? ` (${cluster.version})` : ''}` : `UNHEALTHY: ${cluster.healthMessage ?? 'no answer'}`;
}

async function readSecretFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const REGISTER_HELP = `
A tenant's ADMIN registers for its tenant, only at endpoints the platform's policy allows
(AOS_CLUSTER_ENDPOINT_POLICY: no loopback, private or link-local addresses, no unix sockets by default).
The platform administrator registers for any tenant with --tenant: trusted, outside that policy.
The Docker engine of \`npm run up\` is the AOS_DOCKER_HOST it used: the engine at DOCKER_HOST or
/var/run/docker.sock, else its private dockerd at unix://<repo>/.aos/docker/docker.sock.
Credentials (kubeconfig, connection URL) are read from files, stored encrypted, never shown.
PostgreSQL: --publish-address is where workloads reach the server when it is not the URL's
host and port (e.g. host.docker.internal:15432 for containers on this machine).`;

export function register(program: Command): void {
  const cluster = program.command('cluster').description('clusters (deployment targets): list, register, delete');

  subcommand(cluster, 'list', "the tenant's clusters with a live health check (at most 3 s each)").action(
    action(async (ctx) => {
      const { clusters } = await ctx.api.request(ClustersDocument, {});
      await ctx.emit(clusters, () =>
        clusters.length
          ? table(['NAME', 'KIND', 'ENDPOINT', 'HEALTH'], clusters.map((c) => [c.name, c.kind, c.endpoint ?? '-', healthText(c)]))
          : emptyList('clusters', 'register one with `aos cluster register NAME --endpoint unix:///path/docker.sock`'),
      );
      return 0;
    }),
  );

  subcommand(cluster, 'register', 'register a Docker engine (default), a Kubernetes cluster or a PostgreSQL server')
    .argument('<NAME>', 'the cluster name')
    .option('--endpoint <URL>', 'a Docker engine: unix:///path/docker.sock or tcp://host:port')
    .option('--publish-address <ADDRESS>', 'Docker: the IP ports are published on; PostgreSQL: HOST[:PORT] workloads reach the server at')
    .option('--kubeconfig <FILE>', 'a Kubernetes cluster: its kubeconfig')
    .option('--connection-url-file <FILE>', 'a PostgreSQL server: a file holding its administrative connection URL')
    .option('--stop-grace-period <SECONDS>', 'Docker, Kubernetes: seconds an instance gets after SIGTERM when its element sets no stopGracePeriodSeconds (0-300)')
    .option('--tenant <TENANT>', 'register for this tenant (platform administrator; name or id)')
    .addHelpText('after', REGISTER_HELP)
    .action(
      action(async (ctx, [name], options) => {
        const kubeconfigFile = stringOption(options, 'kubeconfig');
        const connectionUrlFile = stringOption(options, 'connectionUrlFile');
        const endpoint = stringOption(options, 'endpoint');
        const publishAddress = stringOption(options, 'publishAddress') ?? null;
        const stopGracePeriodSeconds = intOption(options, 'stopGracePeriod', 0, 300) ?? null;
        let input: RegisterClusterInput;
        if (kubeconfigFile && connectionUrlFile) throw new UsageError('give either --kubeconfig or --connection-url-file');
        if (kubeconfigFile) input = { name, kind: 'KUBERNETES', kubeconfig: await readSecretFile(kubeconfigFile, 'kubeconfig'), publishAddress, stopGracePeriodSeconds };
        else if (connectionUrlFile) input = { name, kind: 'POSTGRESQL', connectionUrl: (await readSecretFile(connectionUrlFile, 'connection URL file')).trim(), publishAddress, stopGracePeriodSeconds };
        else {
          if (!endpoint) throw new UsageError('missing --endpoint (a Docker engine: unix:///path/docker.sock or tcp://127.0.0.1:PORT)');
          input = { name, kind: 'DOCKER', endpoint, publishAddress, stopGracePeriodSeconds };
        }
        const tenantRef = stringOption(options, 'tenant');
        if (tenantRef) input.tenantId = (await resolveTenant(ctx.api, tenantRef)).id;
        const data = await ctx.api.request(RegisterClusterDocument, { input });
        const { cluster: registered } = expectSuccess(data.registerCluster, 'RegisterClusterSuccess');
        await ctx.emit(registered, () => [`cluster ${registered.name} registered (${registered.kind}${registered.endpoint ? ` ${registered.endpoint}` : ''}): ${healthText(registered)}`]);
        return 0;
      }),
    );

  subcommand(cluster, 'delete', 'remove a cluster no stack uses')
    .argument('<NAME>', 'name or id')
    .action(
      action(async (ctx, [name]) => {
        const { clusters } = await ctx.api.request(ClustersDocument, {});
        // Another tenant's cluster (the platform administrator's business) is named by its id.
        const found = clusters.find((c) => c.name === name || c.id === name) ?? (UUID.test(name) ? { id: name, name } : undefined);
        if (!found) throw notFound(`cluster "${name}" not found`);
        const data = await ctx.api.request(DeleteClusterDocument, { input: { clusterId: found.id } });
        const { clusterId } = expectSuccess(data.deleteCluster, 'DeleteClusterSuccess');
        await ctx.emit({ clusterId, name: found.name }, () => [`cluster ${found.name} deleted`]);
        return 0;
      }),
    );
}
