import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { UserSchema } from './user.js';

/** Tokens are stored as SHA-256 digests: they are 256-bit random values, so a slow hash adds nothing. */
export const ApiTokenSchema = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  indexes: [{ properties: ['user'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    user: p.manyToOne(UserSchema).deleteRule('cascade'),
    tokenHash: p.string().length(64).unique(),
    name: p.string().length(100),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** Null: the token does not expire. */
    expiresAt: p.datetime().nullable(),
    /** Updated at most once a minute, so authentication is not a write per request. */
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  }),
});
export type ApiToken = InferEntity<typeof ApiTokenSchema>;
