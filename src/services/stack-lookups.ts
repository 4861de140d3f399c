// Finding a tenant's stacks and what they were made from. Another tenant's stack does not exist
// for a viewer: lookups answer null, finds NotFound.
import type { EntityManager } from '@mikro-orm/postgresql';
import { StackSchema, TemplateSchema, TemplateVersionSchema, type Stack, type Template, type TemplateVersion } from '../db/entities/index.js';
import { NotFound } from '../domain/errors.js';
import { isUuid, paginate, type Page, type PageArgs } from './pagination.js';
import type { Viewer } from './viewer.js';

export interface StackFilter {
  status?: Stack['status'] | null;
  name?: string | null;
  templateId?: string | null;
}

export async function lookupStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack | null> {
  if (ref.id) return isUuid(ref.id) ? em.findOne(StackSchema, { id: ref.id, tenant: viewer.tenantId }) : null;
  if (ref.name) return em.findOne(StackSchema, { name: ref.name, tenant: viewer.tenantId });
  return null;
}

export async function findStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack> {
  const found = await lookupStack(em, viewer, ref);
  if (!found) throw new NotFound('stack', ref.id ?? ref.name ?? '');
  return found;
}

/** The tenant's stacks, newest first. */
export async function listStacks(em: EntityManager, viewer: Viewer, filter: StackFilter, args: PageArgs): Promise<Page<Stack>> {
  const where: Record<string, unknown> = { tenant: viewer.tenantId };
  if (filter.status) where.status = filter.status;
  if (filter.name) where.name = { $ilike: `%${filter.name.replace(/[%_\\]/g, '\\$&')}%` };
  if (filter.templateId) {
    // A malformed id matches nothing rather than failing in the database.
    if (!isUuid(filter.templateId)) return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
    where.template = filter.templateId;
  }
  return paginate(em, StackSchema, where, { createdAt: 'desc', id: 'desc' }, args);
}

export async function templateOfStack(em: EntityManager, stack: Stack): Promise<Template> {
  return em.findOneOrFail(TemplateSchema, { id: stack.template.id });
}

export async function versionOfStack(em: EntityManager, stack: Stack): Promise<TemplateVersion> {
  return em.findOneOrFail(TemplateVersionSchema, { id: stack.templateVersion.id });
}
