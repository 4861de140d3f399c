// POSTGRESQL clusters: an administrative role's connection URL (sealed, never returned), read
// strictly (connection.ts) and checked against the platform's endpoint policy; health is one
// bounded connection and `server_version`. No element type is deployed on them yet: a stack using
// one fails with "no driver" until the CTC.RDS.PostgreSQL driver lands.
import type { TemplateProblemLike } from '../../domain/errors.js';
import { checkHostEndpoint, type EndpointPolicy } from '../endpoint-policy.js';
import { fieldProblem, missingProblem, policyProblems } from '../registration-problems.js';
import { DEFAULT_PUBLISH_ADDRESS, type CheckedRegistration, type ClusterHealth, type ClusterProvider, type ClusterRegistration, type ClusterTarget } from '../types.js';
import { parsePostgresUrl, postgresHealth, publicPostgresEndpoint } from './connection.js';

async function validateRegistration(input: ClusterRegistration, policy: EndpointPolicy | null): Promise<CheckedRegistration> {
  const problems: TemplateProblemLike[] = [];
  const result: CheckedRegistration = { endpoint: null, publishAddress: DEFAULT_PUBLISH_ADDRESS, credentials: null, problems };
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
  }
  return result;
}

async function health(target: ClusterTarget, timeoutMs: number): Promise<ClusterHealth> {
  const parsed = target.connectionUrl ? parsePostgresUrl(target.connectionUrl).connection : null;
  if (!parsed) return { healthy: false, version: null, message: 'the stored connection URL is not usable (only host, port, database, user, password and sslmode are accepted)' };
  return postgresHealth(parsed, target.endpointPolicy ?? null, timeoutMs);
}

export const postgresqlProvider: ClusterProvider = {
  kind: 'POSTGRESQL',
  registrationFields: ['connectionUrl'],
  validateRegistration,
  health,
  drivers: [],
};
