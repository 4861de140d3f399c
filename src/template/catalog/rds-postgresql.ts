import type { NodeTypeDef } from './registry.js';

/**
 * A name PostgreSQL takes unquoted; `pg_` names are reserved for the server's own roles, so they
 * are refused here rather than by the server half way through an install.
 */
const identifier = { type: 'string', pattern: '^(?!pg_)[a-z_][a-z0-9_]{0,62}$' };

/**
 * Extensions a database owner may add without superuser rights (PostgreSQL's "trusted"
 * extensions that ship with the server's contrib package): nothing here can read files or run
 * code outside the database.
 */
export const RDS_POSTGRESQL_EXTENSIONS = [
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'fuzzystrmatch',
  'hstore',
  'intarray',
  'isn',
  'ltree',
  'pg_trgm',
  'pgcrypto',
  'tablefunc',
  'unaccent',
  'uuid-ossp',
] as const;

export const rdsPostgresql: NodeTypeDef = {
  name: 'CTC.RDS.PostgreSQL',
  description: 'A database and its owning login role on a PostgreSQL server registered as a cluster of kind POSTGRESQL.',
  properties: {
    type: 'object',
    additionalProperties: false,
    required: ['database', 'user'],
    properties: {
      database: { ...identifier, description: 'Database name (lower case, digits, underscores; not pg_…).' },
      user: { ...identifier, description: 'Login role that owns the database (lower case, digits, underscores; not pg_…).' },
      password: {
        type: 'string',
        minLength: 8,
        maxLength: 128,
        pattern: '^[\\x21-\\x7e]+$',
        writeOnly: true,
        description: 'Role password (printable ASCII, no spaces); generated when absent and kept across updates. Changing it rotates the password in place. Masked.',
      },
      connectionLimit: { type: 'integer', minimum: 1, maximum: 10000, description: 'Most concurrent connections to the database (unlimited when absent).' },
      extensions: {
        type: 'array',
        uniqueItems: true,
        maxItems: RDS_POSTGRESQL_EXTENSIONS.length,
        items: { enum: [...RDS_POSTGRESQL_EXTENSIONS] },
        default: [],
        description: 'Extensions created in the database; removing one drops it (refused while objects use it).',
      },
    },
  },
  attributes: {
    host: { type: 'string', description: 'Host name or address workloads reach the server at (the cluster\'s publishAddress).' },
    port: { type: 'integer', description: 'Server port workloads use.' },
    database: { type: 'string', description: 'Database name.' },
    user: { type: 'string', description: 'Role name.' },
    password: { type: 'string', secret: true, description: 'Role password (masked).' },
    url: { type: 'string', secret: true, description: 'postgresql://user:password@host:port/database (masked).' },
  },
  replaceOnChange: ['database', 'user'],
  deployable: true,
};
