// Finding a tenant's stacks and what they were made from. Another tenant's stack does not exist
// for a viewer: lookups answer null, finds NotFound. A deleted stack (status DELETED, kept for the
// retention period) is read by its id only: names belong to live stacks, and no change reaches it.
import type { EntityManager } from '@mikro-orm/postgresql';
import { LIVE_STACK, StackSchema, TemplateSchema, TemplateVersionSchema, type Stack, type Template, type TemplateVersion } from '../db/entities/index.js';
import { NotFound } from '../domain/errors.js';
import { isUuid, paginate, type Page, type PageArgs } from './pagination.js';
import type { Viewer } from './viewer.js';

export interface StackFilter {
  status?: Stack['status'] | null;
  name?: string | null;
  templateId?: string | null;
  /** Deleted stacks too (default: live ones only); a `status: DELETED` filter implies it. */
  includeDeleted?: boolean | null;
}

/** By id any of the tenant's stacks, a deleted one too; by name the live stack of that name. */
export async function lookupStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack | null> {
  if (ref.id) return isUuid(ref.id) ? em.findOne(StackSchema, { id: ref.id, tenant: viewer.tenantId }) : null;
  if (ref.name) return em.findOne(StackSchema, { name: ref.name, tenant: viewer.tenantId, ...LIVE_STACK });
  return null;
}

/** A stack to read (a deleted one too, by id), or NotFound. */
export async function findReadableStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack> {
  const found = await lookupStack(em, viewer, ref);
  if (!found) throw new NotFound('stack', ref.id ?? ref.name ?? '');
  return found;
}

/**
 * A live stack to act on. Every mutation finds its stack here, so a deleted one answers NotFound
 * to all of them alike (each result union has NotFound; not all have InvalidStackState).
 */
export async function findStack(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Stack> {
  const found = await findReadableStack(em, viewer, ref);
  if (found.status === 'DELETED') throw new NotFound('stack', ref.id ?? ref.name ?? '', `stack "${found.name}" was deleted (a deleted stack can be read, not changed)`);
  return found;
}

/** The tenant's stacks, newest first. */
export async function listStacks(em: EntityManager, viewer: Viewer, filter: StackFilter, args: PageArgs): Promise<Page<Stack>> {
  const where: Record<string, unknown> = { tenant: viewer.tenantId };
  if (filter.status) where.status = filter.status;
  else if (!filter.includeDeleted) where.status = LIVE_STACK.status;
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
