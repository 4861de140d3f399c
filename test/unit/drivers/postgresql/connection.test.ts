// A POSTGRESQL cluster's connection URL: its grammar, and the pg client config built from its
// parts (never from the raw URL, the environment or ~/.pgpass).
import { describe, expect, it } from 'vitest';
import { parsePostgresUrl, postgresClientConfig } from '../../../../src/drivers/postgresql/connection.js';

describe('PostgreSQL connection URLs', () => {
  it('accept host, port, database, user, password and sslmode only', () => {
    expect(parsePostgresUrl('postgresql://app:p%40ss@db.example.com:6543/orders?sslmode=verify-full')).toEqual({
      connection: { host: 'db.example.com', port: 6543, database: 'orders', user: 'app', password: 'p@ss', sslmode: 'verify-full' },
      problems: [],
    });
    expect(parsePostgresUrl('postgres://app@[2001:db8::1]/').connection).toMatchObject({ host: '2001:db8::1', port: 5432, database: 'app', password: '', sslmode: 'disable' });
    const messages = (url: string) => parsePostgresUrl(url).problems.map((p) => p.message).join('\n');
    for (const parameter of ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'passfile', 'options', 'service', 'host', 'hostaddr', 'application_name']) {
      expect(messages(`postgresql://u:secret@h/db?${parameter}=/dev/zero`), parameter).toContain(`"${parameter}"`);
      expect(messages(`postgresql://u:secret@h/db?${parameter}=/dev/zero`)).not.toContain('secret');
    }
    expect(messages('postgresql://u:p@h/db?sslmode=prefer')).toMatch(/sslmode must be one of/);
    expect(messages('postgresql://u:p@h/db?sslmode=require&sslmode=disable')).toMatch(/more than once/);
    expect(messages('postgresql://:p@h/db')).toMatch(/no user/);
    expect(messages('postgresql://u:p@%2Fvar%2Frun%2Fpostgresql/db')).toMatch(/neither an IP address nor a host name/);
    expect(messages('postgresql://u:p@h1,h2/db')).toMatch(/neither an IP address nor a host name/);
    expect(messages(`postgresql://u:p@h/${'x'.repeat(3000)}`)).toMatch(/longer than 2048/);
  });

  it('build a pg config with every setting explicit: no connection string, and a password pg cannot look up elsewhere', async () => {
    const { connection } = parsePostgresUrl('postgresql://app@db.example.com/orders');
    const config = postgresClientConfig(connection!, { socket: () => undefined as never, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
    expect(config.connectionString).toBeUndefined();
    expect(typeof config.password).toBe('function');
    expect(await (config.password as () => string | Promise<string>)()).toBe('');
    expect(config).toMatchObject({ host: 'db.example.com', port: 5432, database: 'orders', user: 'app', ssl: false, sslnegotiation: 'postgres' });
  });

});
