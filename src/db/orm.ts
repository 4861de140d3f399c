import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { repoRoot } from '../config.js';
import { migrationsList } from '../../migrations/index.js';
import { allEntities } from './entities/index.js';

function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return {
    clientUrl: databaseUrl,
    entities: allEntities,
    extensions: [Migrator],
    // Entities are defined with defineEntity: no reflection, no discovery by path.
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList,
      // Where `npm run migration:create` writes a new file (then add it to migrations/index.ts).
      path: path.join(repoRoot, 'migrations'),
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: 10 },
    // A stray global EntityManager use would share state between requests: forbid it.
    allowGlobalContext: false,
    debug: process.env.AOS_SQL_DEBUG === '1',
    ...overrides,
  };
}

export async function initORM(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}
