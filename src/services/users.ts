import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { ApiTokenSchema, UserSchema, type ApiToken, type User } from '../db/entities/index.js';
import { Forbidden, NameTaken, NotFound, ValidationFailed } from '../domain/errors.js';
import { publish } from '../events/publish.js';
import { BOOTSTRAP_ADMIN, hashToken, newToken } from './auth.js';
import { isUuid } from './pagination.js';
import { checkName, findTenant } from './tenants.js';
import { assertTenantAdmin, canSeeTenant, PLATFORM_TENANT, type Role, type Viewer } from './viewer.js';

/** Users of one tenant: `users` lists them whole, so their number is bounded. */
export const MAX_USERS_PER_TENANT = 1000;
/** Live tokens one user may hold: each is a credential to keep track of, so there is a bound. */
const MAX_TOKENS_PER_USER = 50;
const MAX_TOKEN_DAYS = 3650;
const DAY_MS = 24 * 3600 * 1000;
/** NOTIFY payloads are limited to 8000 bytes: revoked ids are announced in batches well below it. */
const REVOKED_PER_NOTIFICATION = 100;

/** The user behind an id, if the viewer may administer or is that user; otherwise NotFound. */
async function findUserFor(em: EntityManager, viewer: Viewer, userId: string, needAdmin: boolean): Promise<User> {
  const user = isUuid(userId) ? await em.findOne(UserSchema, { id: userId }, { populate: ['tenant'] }) : null;
  if (!user || !canSeeTenant(viewer, user.tenant.id)) throw new NotFound('user', userId);
  if (needAdmin || user.id !== viewer.userId) assertTenantAdmin(viewer, user.tenant.id, 'user');
  return user;
}

export async function createUser(
  em: EntityManager,
  viewer: Viewer,
  input: { tenantId: string; name: string; role: Role },
): Promise<{ user: User; token: string }> {
  if (!isUuid(input.tenantId) || !canSeeTenant(viewer, input.tenantId)) throw new NotFound('tenant', input.tenantId);
  assertTenantAdmin(viewer, input.tenantId);
  const tenant = await findTenant(em, input.tenantId);
  checkName('user', input.name);
  const users = await em.count(UserSchema, { tenant: tenant.id });
  if (users >= MAX_USERS_PER_TENANT) {
    throw ValidationFailed.single('TOO_MANY_USERS', 'tenantId', `tenant "${tenant.name}" has ${users} users, the most allowed`, 'delete the users no longer needed first');
  }
  const token = newToken();
  const user = em.create(UserSchema, { id: randomUUID(), tenant, name: input.name, role: input.role });
  em.create(ApiTokenSchema, { id: randomUUID(), user, tokenHash: hashToken(token), name: 'created' });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new NameTaken(`tenant "${tenant.name}" has a user named "${input.name}" already`);
    }
    throw error;
  }
  return { user, token };
}

/** A tenant's ADMIN: its own tenant's users; the platform administrator: any tenant's; others: themselves. */
export async function listUsers(em: EntityManager, viewer: Viewer, tenantId?: string | null): Promise<User[]> {
  const tenant = tenantId ?? viewer.tenantId;
  if (!isUuid(tenant) || !canSeeTenant(viewer, tenant)) throw new NotFound('tenant', tenant);
  if (!viewer.platformAdmin && viewer.role !== 'ADMIN') return em.find(UserSchema, { id: viewer.userId });
  return em.find(UserSchema, { tenant }, { orderBy: { name: 'asc' } });
}

/** Live (unrevoked) tokens of a user, as far as the viewer may know them: its own, or any for its administrators. */
export async function tokensOf(em: EntityManager, viewer: Viewer, user: User): Promise<ApiToken[]> {
  const mayKnow = user.id === viewer.userId || viewer.platformAdmin || (viewer.role === 'ADMIN' && viewer.tenantId === user.tenant.id);
  if (!mayKnow) return [];
  return em.find(ApiTokenSchema, { user: user.id, revokedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export async function createToken(
  em: EntityManager,
  viewer: Viewer,
  input: { userId: string; name: string; expiresInDays?: number | null },
): Promise<{ token: string; apiToken: ApiToken }> {
  const user = await findUserFor(em, viewer, input.userId, false);
  // Users make tokens for themselves whatever their role; a frozen tenant makes none.
  if (viewer.tenantState === 'FROZEN' && !viewer.platformAdmin) assertTenantAdmin(viewer, viewer.tenantId);
  checkName('token', input.name);
  const days = input.expiresInDays;
  if (days !== null && days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    throw ValidationFailed.single('BAD_EXPIRY', 'expiresInDays', `expiresInDays must be between 1 and ${MAX_TOKEN_DAYS}`, 'leave it out for a token that does not expire');
  }
  const live = await em.count(ApiTokenSchema, { user: user.id, revokedAt: null });
  if (live >= MAX_TOKENS_PER_USER) {
    throw ValidationFailed.single('TOO_MANY_TOKENS', 'userId', `user "${user.name}" has ${live} live tokens, the most allowed`, 'revoke the tokens no longer used first');
  }
  const token = newToken();
  const apiToken = em.create(ApiTokenSchema, {
    id: randomUUID(),
    user,
    tokenHash: hashToken(token),
    name: input.name,
    expiresAt: days ? new Date(Date.now() + days * DAY_MS) : null,
  });
  await em.flush();
  return { token, apiToken };
}

async function announceRevoked(em: EntityManager, tenantId: string, tokenIds: string[]): Promise<void> {
  for (let i = 0; i < tokenIds.length; i += REVOKED_PER_NOTIFICATION) {
    await publish(em, 'tokens.revoked', { tenantId, tokenIds: tokenIds.slice(i, i + REVOKED_PER_NOTIFICATION) });
  }
}

/** The token's owner, its tenant's ADMIN or the platform administrator; anyone else: NotFound. */
export async function revokeToken(em: EntityManager, viewer: Viewer, tokenId: string): Promise<{ tokenId: string; tenantId: string }> {
  const row = isUuid(tokenId) ? await em.findOne(ApiTokenSchema, { id: tokenId, revokedAt: null }, { populate: ['user', 'user.tenant'] }) : null;
  if (!row || !canSeeTenant(viewer, row.user.tenant.id)) throw new NotFound('token', tokenId);
  if (row.user.id !== viewer.userId) {
    try {
      assertTenantAdmin(viewer, row.user.tenant.id, 'token');
    } catch (error) {
      // A colleague's token does not exist for a non-administrator.
      if (error instanceof Forbidden) throw new NotFound('token', tokenId);
      throw error;
    }
  }
  const tenantId = row.user.tenant.id;
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(ApiTokenSchema, { id: row.id }, { revokedAt: new Date() });
    await announceRevoked(tx, tenantId, [row.id]);
  });
  return { tokenId: row.id, tenantId };
}

/** Removes a user and, with it, every token it had (their sockets close at once). */
export async function deleteUser(em: EntityManager, viewer: Viewer, userId: string): Promise<{ userId: string; tenantId: string; name: string }> {
  const user = await findUserFor(em, viewer, userId, true);
  if (user.id === viewer.userId) throw new Forbidden('a user cannot delete itself: ask another ADMIN');
  if (user.tenant.name === PLATFORM_TENANT && user.name === BOOTSTRAP_ADMIN) {
    throw new Forbidden('the bootstrap administrator cannot be deleted: rotate AOS_ADMIN_TOKEN instead');
  }
  const tenantId = user.tenant.id;
  await em.transactional(async (tx) => {
    const tokens = await tx.find(ApiTokenSchema, { user: user.id, revokedAt: null }, { fields: ['id'] });
    await tx.nativeDelete(UserSchema, { id: user.id });
    await announceRevoked(tx, tenantId, tokens.map((t) => t.id));
  });
  return { userId: user.id, tenantId, name: user.name };
}
