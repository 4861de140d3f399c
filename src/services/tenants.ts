import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { LIVE_STACK, StackSchema, TemplateSchema, TenantSchema, type Tenant } from '../db/entities/index.js';
import { NameTaken, NotFound, ValidationFailed } from '../domain/errors.js';
import { isUuid } from './pagination.js';
import { assertPlatformAdmin, type Viewer } from './viewer.js';

const NAME = /^[a-z0-9]([a-z0-9-_.]{0,98}[a-z0-9])?$/i;

export function checkName(kind: string, name: string, path = 'name'): void {
  if (!NAME.test(name)) {
    throw ValidationFailed.single(
      'BAD_NAME',
      path,
      `${kind} name "${name}" is not valid`,
      'use 1 to 100 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    );
  }
}

export async function findTenant(em: EntityManager, tenantId: string): Promise<Tenant> {
  const tenant = isUuid(tenantId) ? await em.findOne(TenantSchema, { id: tenantId }) : null;
  if (!tenant) throw new NotFound('tenant', tenantId);
  return tenant;
}

/** Platform-only changes to a tenant: another tenant's id is NotFound to anyone else, as if it did not exist. */
function assertPlatformAdminOf(viewer: Viewer, tenantId: string): void {
  if (!viewer.platformAdmin && tenantId !== viewer.tenantId) throw new NotFound('tenant', tenantId);
  assertPlatformAdmin(viewer);
}

export async function createTenant(em: EntityManager, viewer: Viewer, name: string): Promise<Tenant> {
  assertPlatformAdmin(viewer);
  checkName('tenant', name);
  const tenant = em.create(TenantSchema, { id: randomUUID(), name, state: 'ACTIVE', quotaTemplates: 100, quotaStacks: 200 });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new NameTaken(`a tenant named "${name}" exists already`);
    throw error;
  }
  return tenant;
}

export interface QuotaView {
  templates: number;
  stacks: number;
  templatesUsed: number;
  stacksUsed: number;
}

export async function quotaOf(em: EntityManager, tenant: Tenant): Promise<QuotaView> {
  const templatesUsed = await em.count(TemplateSchema, { tenant: tenant.id });
  // Deleted stacks, still readable during their retention, use no quota.
  const stacksUsed = await em.count(StackSchema, { tenant: tenant.id, ...LIVE_STACK });
  return { templates: tenant.quotaTemplates, stacks: tenant.quotaStacks, templatesUsed, stacksUsed };
}

const MAX_QUOTA = 100_000;

export async function setQuota(
  em: EntityManager,
  viewer: Viewer,
  input: { tenantId: string; templates?: number | null; stacks?: number | null },
): Promise<QuotaView> {
  assertPlatformAdminOf(viewer, input.tenantId);
  const tenant = await findTenant(em, input.tenantId);
  for (const key of ['templates', 'stacks'] as const) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || value < 0 || value > MAX_QUOTA) {
      throw ValidationFailed.single('BAD_QUOTA', key, `${key} quota must be between 0 and ${MAX_QUOTA}`);
    }
  }
  if (input.templates != null) tenant.quotaTemplates = input.templates;
  if (input.stacks != null) tenant.quotaStacks = input.stacks;
  await em.flush();
  return quotaOf(em, tenant);
}

export async function setTenantState(
  em: EntityManager,
  viewer: Viewer,
  input: { tenantId: string; state: 'ACTIVE' | 'FROZEN' },
): Promise<Tenant> {
  assertPlatformAdminOf(viewer, input.tenantId);
  const tenant = await findTenant(em, input.tenantId);
  tenant.state = input.state;
  await em.flush();
  return tenant;
}
