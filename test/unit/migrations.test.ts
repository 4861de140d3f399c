import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initORM } from '../../src/db/orm.js';

// A scratch database of its own: migrating down and up must not disturb the other test files.
const scratch = `aos_test_migrations_${process.pid}`;
const adminUrl = process.env.DATABASE_URL!;
let scratchUrl: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`drop database if exists ${scratch}`);
  await admin(`create database ${scratch}`);
  const url = new URL(adminUrl);
  url.pathname = `/${scratch}`;
  scratchUrl = url.toString();
});
afterAll(async () => admin(`drop database if exists ${scratch} with (force)`));

describe('migrations', () => {
  it('apply, match the entities exactly, revert completely and apply again', async () => {
    const orm = await initORM(scratchUrl);
    try {
      const migrator = orm.getMigrator();
      const applied = await migrator.up();
      expect(applied.length).toBeGreaterThan(0);
      // The entity definitions and the hand-written SQL describe the same schema.
      const drift = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: true });
      expect(drift.trim()).toBe('');
      await migrator.down({ to: 0 });
      const tables = await orm.em.getConnection().execute(`select tablename from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations'`);
      expect(tables).toEqual([]);
      expect((await migrator.up()).length).toBe(applied.length);
    } finally {
      await orm.close(true);
    }
  });

  it('keeps template versions immutable in the database itself', async () => {
    const client = new pg.Client({ connectionString: scratchUrl });
    await client.connect();
    try {
      await client.query(`insert into tenants (id, name, created_at) values ('00000000-0000-4000-8000-000000000001', 't', now())`);
      await client.query(`insert into templates (id, tenant_id, name, created_at, updated_at) values ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'x', now(), now())`);
      await client.query(`insert into template_versions (id, template_id, version, body, created_at) values ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', '1', 'a: 1', now())`);
      await expect(client.query(`update template_versions set body = 'changed'`)).rejects.toThrow(/immutable/);
    } finally {
      await client.end();
    }
  });
});
