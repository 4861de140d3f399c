import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { ApiTokenSchema, TenantSchema, UserSchema } from '../db/entities/index.js';
import { isPlatformAdmin, PLATFORM_TENANT, type Viewer } from './viewer.js';

export const DEFAULT_TENANT = PLATFORM_TENANT;
export const BOOTSTRAP_ADMIN = 'admin';
const BOOTSTRAP_LABEL = 'bootstrap';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `aos_${randomBytes(32).toString('base64url')}`;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_\-.~+/=]{16,256}$/;

/** lastUsedAt is written at most this often per token: authentication is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The viewer a bearer token stands for, or null when the token is unknown, revoked, expired or
 * malformed. Runs on every HTTP request and every operation of an open socket, so a revocation, an
 * expiry or a freeze applies at once.
 */
export async function authenticate(em: EntityManager, token: string, now = new Date()): Promise<Viewer | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const digest = hashToken(token);
  const row = await em.findOne(ApiTokenSchema, { tokenHash: digest, revokedAt: null }, { populate: ['user', 'user.tenant'] });
  // The lookup is by digest; compare again in constant time so timing says nothing of near misses.
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(digest))) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests with one token write once; a failure here must not refuse the caller.
    await em
      .nativeUpdate(ApiTokenSchema, { id: row.id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] }, { lastUsedAt: now })
      .catch(() => undefined);
  }
  const user = row.user;
  const tenant = user.tenant;
  return {
    userId: user.id,
    userName: user.name,
    role: user.role,
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantState: tenant.state,
    tokenId: row.id,
    platformAdmin: isPlatformAdmin({ role: user.role, tenantName: tenant.name }),
  };
}

/**
 * Makes sure the bootstrap admin (user `admin` of tenant `default`) answers to `token`. Rotating
 * AOS_ADMIN_TOKEN revokes the previous bootstrap token.
 */
export async function ensureBootstrapAdmin(em: EntityManager, token: string): Promise<void> {
  // Several API processes may start at once on a fresh database: the loser of the race to
  // create the tenant, user or token finds the winner's rows on its next attempt.
  for (let attempt = 1; ; attempt++) {
    try {
      await bootstrapOnce(em.fork(), token);
      return;
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException) || attempt >= 5) throw error;
    }
  }
}

async function bootstrapOnce(em: EntityManager, token: string): Promise<void> {
  await em.transactional(async (tx) => {
    let tenant = await tx.findOne(TenantSchema, { name: DEFAULT_TENANT });
    if (!tenant) tenant = tx.create(TenantSchema, { id: randomUUID(), name: DEFAULT_TENANT, state: 'ACTIVE', quotaTemplates: 100, quotaStacks: 200 });
    let admin = await tx.findOne(UserSchema, { tenant, name: BOOTSTRAP_ADMIN });
    if (!admin) admin = tx.create(UserSchema, { id: randomUUID(), tenant, name: BOOTSTRAP_ADMIN, role: 'ADMIN' });
    const digest = hashToken(token);
    const current = await tx.find(ApiTokenSchema, { user: admin, name: BOOTSTRAP_LABEL, revokedAt: null });
    let present = false;
    for (const row of current) {
      if (row.tokenHash === digest) present = true;
      else row.revokedAt = new Date();
    }
    if (!present) {
      const stale = await tx.findOne(ApiTokenSchema, { tokenHash: digest });
      if (stale) stale.revokedAt = null;
      else tx.create(ApiTokenSchema, { id: randomUUID(), user: admin, tokenHash: digest, name: BOOTSTRAP_LABEL });
    }
  });
}
