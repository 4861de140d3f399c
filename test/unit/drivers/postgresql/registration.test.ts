// POSTGRESQL clusters' registration grammar (the connection URL is covered with the API in
// test/api/clusters.test.ts): the address workloads reach the server at, and what is stored.
import { describe, expect, it } from 'vitest';
import { postgresqlProvider } from '../../../../src/drivers/postgresql/cluster.js';
import { readWorkloadAddress, workloadAddressOf } from '../../../../src/drivers/postgresql/workload-address.js';
import { parseEndpointPolicy } from '../../../../src/drivers/endpoint-policy-parse.js';

const URL_TEXT = 'postgresql://admin:s3cret@db.example.com:6543/postgres';

describe('POSTGRESQL registration', () => {
  it('publishes the connection URL\'s host and port by default and keeps the URL only sealed', async () => {
    const checked = await postgresqlProvider.validateRegistration({ connectionUrl: URL_TEXT }, null);
    expect(checked.problems).toEqual([]);
    expect(checked).toMatchObject({ endpoint: 'postgresql://db.example.com:6543/postgres', publishAddress: 'db.example.com:6543', credentials: { connectionUrl: URL_TEXT } });
    expect(JSON.stringify({ endpoint: checked.endpoint, publishAddress: checked.publishAddress })).not.toContain('s3cret');
  });

  it.each([
    ['host.docker.internal', 'host.docker.internal:6543'],
    ['host.docker.internal:5432', 'host.docker.internal:5432'],
    ['10.0.0.5', '10.0.0.5:6543'],
    ['[fd00::5]:5433', '[fd00::5]:5433'],
    ['fd00::5', '[fd00::5]:6543'],
    [' db.internal ', 'db.internal:6543'],
  ])('reads publishAddress %j as %j (the URL\'s port when none is given)', async (given, stored) => {
    const checked = await postgresqlProvider.validateRegistration({ connectionUrl: URL_TEXT, publishAddress: given }, null);
    expect(checked.problems).toEqual([]);
    expect(checked.publishAddress).toBe(stored);
  });

  it.each(['', 'db:0', 'db:70000', 'db:5432:1', 'a b', 'x'.repeat(65), 'db/path', 'http://db:5432', '[fd00::5'])('refuses publishAddress %j on its field', async (given) => {
    const checked = await postgresqlProvider.validateRegistration({ connectionUrl: URL_TEXT, publishAddress: given }, null);
    expect(checked.problems).toEqual([expect.objectContaining({ path: 'publishAddress' })]);
  });

  it('applies the endpoint policy to the administrative connection, not to the workloads\' address', async () => {
    const policy = parseEndpointPolicy(undefined, { endpoints: [], sockets: [] });
    const refused = await postgresqlProvider.validateRegistration({ connectionUrl: 'postgresql://admin:x@127.0.0.1:5432/postgres', publishAddress: '127.0.0.1' }, policy);
    expect(refused.problems.map((p) => p.path)).toEqual(['connectionUrl']);
  });

  it('turns a stored address back into host and port, falling back to the connection\'s', () => {
    const admin = { host: 'db.example.com', port: 6543 };
    expect(workloadAddressOf('[fd00::5]:5433', admin)).toEqual({ host: 'fd00::5', port: 5433 });
    expect(workloadAddressOf(null, admin)).toEqual(admin);
    expect(workloadAddressOf('not an address', admin)).toEqual(admin);
    expect(readWorkloadAddress('db', 5432)).toEqual({ address: { host: 'db', port: 5432 } });
  });
});
