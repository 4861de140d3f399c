// POSTGRESQL clusters: an administrative role's connection URL (sealed, never returned), read
// strictly (connection.ts) and checked against the platform's endpoint policy, plus the address
// workloads reach the server at (publishAddress: host or host:port, default the URL's). Health is
// one bounded connection and `server_version`. Elements: CTC.RDS.PostgreSQL (database.ts).
import type { TemplateProblemLike } from '../../domain/errors.js';
import { checkHostEndpoint, type EndpointPolicy } from '../endpoint-policy.js';
import { fieldProblem, missingProblem, policyProblems } from '../registration-problems.js';
import type { CheckedRegistration, ClusterHealth, ClusterProvider, ClusterRegistration, ClusterTarget } from '../types.js';
import { openPostgresSession, parsePostgresUrl, postgresHealth, publicPostgresEndpoint } from './connection.js';
import { postgresqlDatabaseDriver, stackMarkerPart } from './database.js';
import { formatWorkloadAddress, readWorkloadAddress } from './workload-address.js';

async function validateRegistration(input: ClusterRegistration, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const problems: TemplateProblemLike[] = [];
  const result: CheckedRegistration = { endpoint: null, publishAddress: '', credentials: null, problems };
  if (!input.connectionUrl) {
    problems.push(missingProblem('connectionUrl', 'a POSTGRESQL cluster needs a connectionUrl', 'postgresql://user:password@host:5432/postgres'));
    return result;
  }
  const { connection, problems: urlProblems } = parsePostgresUrl(input.connectionUrl);
  problems.push(...urlProblems.map((p) => fieldProblem('connectionUrl', p.message, p.hint)));
  if (connection) {
    if (policy) problems.push(...policyProblems('connectionUrl', await checkHostEndpoint(policy, connection.host, connection.port)));
    result.endpoint = publicPostgresEndpoint(connection);
    result.credentials = { connectionUrl: input.connectionUrl };
    // Only handed to the tenant's own workloads (AOS never connects there): no policy applies.
    if (input.publishAddress !== undefined && input.publishAddress !== null) {
      const read = readWorkloadAddress(input.publishAddress, connection.port);
      if ('problem' in read) problems.push(fieldProblem('publishAddress', read.problem, 'e.g. db.internal, 10.0.0.5:5432 or host.docker.internal:5432'));
      else result.publishAddress = formatWorkloadAddress(read.address);
    } else {
      result.publishAddress = formatWorkloadAddress(connection);
    }
  }
  return result;
}

async function health(target: ClusterTarget, timeoutMs: number): Promise<ClusterHealth> {
  const parsed = target.connectionUrl ? parsePostgresUrl(target.connectionUrl).connection : null;
  if (!parsed) return { healthy: false, version: null, message: 'the stored connection URL is not usable (only host, port, database, user, password and sslmode are accepted)' };
  return postgresHealth(parsed, target.endpointPolicy ?? null, timeoutMs);
}

/** Roles and databases whose marker names the stack (stack ids are unique), as `role/name` and `database/name`. */
async function listOwnedObjects(target: ClusterTarget, stackId: string): Promise<string[]> {
  const connection = target.connectionUrl ? parsePostgresUrl(target.connectionUrl).connection : null;
  if (!connection) throw new Error('the stored connection URL is not usable');
  const session = await openPostgresSession(connection, target.endpointPolicy ?? null, { connectTimeoutMs: 10_000, queryTimeoutMs: 10_000, maxBytes: 1024 * 1024 });
  try {
    const { rows } = await session.client.query<{ object: string }>(
      `select 'role/' || rolname as object from pg_roles where strpos(coalesce(shobj_description(oid, 'pg_authid'), ''), $1) > 0
       union all
       select 'database/' || datname from pg_database where strpos(coalesce(shobj_description(oid, 'pg_database'), ''), $1) > 0
       order by 1 limit 1000`,
      [stackMarkerPart(stackId)],
    );
    return rows.map((row) => row.object);
  } finally {
    session.close();
  }
}

export const postgresqlProvider: ClusterProvider = {
  kind: 'POSTGRESQL',
  registrationFields: ['connectionUrl', 'publishAddress'],
  validateRegistration,
  health,
  listOwnedObjects,
  drivers: [postgresqlDatabaseDriver],
};
