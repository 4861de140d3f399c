import type { NodeTypeDef } from './registry.js';

const identifier = { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' };

export const rdsPostgresql: NodeTypeDef = {
  name: 'CTC.RDS.PostgreSQL',
  description: 'A database and its owning role on a PostgreSQL server registered as a cluster of kind POSTGRESQL.',
  properties: {
    type: 'object',
    additionalProperties: false,
    required: ['database', 'user'],
    properties: {
      database: { ...identifier, description: 'Database name (lower case, digits, underscores).' },
      user: { ...identifier, description: 'Role that owns the database.' },
      password: { type: 'string', minLength: 8, maxLength: 128, writeOnly: true, description: 'Role password; generated when absent. Masked.' },
    },
  },
  attributes: {
    host: { type: 'string', description: 'Server host name or address.' },
    port: { type: 'integer', description: 'Server port.' },
    database: { type: 'string', description: 'Database name.' },
    user: { type: 'string', description: 'Role name.' },
    password: { type: 'string', secret: true, description: 'Role password (masked).' },
  },
  replaceOnChange: ['database', 'user'],
  deployable: true,
};
