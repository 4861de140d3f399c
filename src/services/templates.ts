import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { LIVE_STACK, StackSchema, TemplateSchema, TemplateVersionSchema, TenantSchema, type Template, type TemplateVersion } from '../db/entities/index.js';
import { InvalidStackState, NameTaken, NotFound, QuotaExceeded, ValidationFailed } from '../domain/errors.js';
import { removeDeletedStacks } from './deleted-stacks.js';
import { analyzeTemplate, maskTemplateBody, MAX_PROBLEMS, ProblemCode, type TemplateAnalysis } from '../template/index.js';
import { isUuid, paginate, type Page, type PageArgs } from './pagination.js';
import { checkName } from './tenants.js';
import { assertCanChange, type Viewer } from './viewer.js';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

function checkVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw ValidationFailed.single('BAD_VERSION_NAME', 'version', `version "${version}" is not valid`, 'e.g. 1, 1.0.2 or 2026-11-25');
  }
}

/**
 * Refuses a body that is not a valid template, with every problem found (a body over the size
 * limit is refused by the parser before it reads anything: TOO_LARGE).
 */
function checkTemplateBody(body: string): TemplateAnalysis {
  const analysis = analyzeTemplate(body);
  if (!analysis.valid) {
    const count = analysis.problems.length;
    const capped = analysis.problems[count - 1]?.code === ProblemCode.TOO_MANY_PROBLEMS;
    throw new ValidationFailed(capped ? `the template has more than ${MAX_PROBLEMS} problems` : `the template has ${count} problem${count === 1 ? '' : 's'}`, analysis.problems);
  }
  return analysis;
}

// Bodies as shown of versions stored before the shown text was kept beside them, by version id:
// versions never change, and masking parses the text. Bounded in characters held, least recently
// used out first.
const SHOWN_BODIES_CHARACTERS = 32 * 1024 * 1024;
const shownBodies = new Map<string, string>();
let shownCharacters = 0;

/**
 * A version's text as the API shows it, to every role: password defaults and literal secret
 * values masked (see maskTemplateBody). The stored text stays as written, for the worker.
 */
export function shownBodyOf(version: TemplateVersion): string {
  // Masked once, when the version was made: reading a body costs no parse.
  if (version.shownBody !== null && version.shownBody !== undefined) return version.shownBody;
  const cached = shownBodies.get(version.id);
  if (cached !== undefined) {
    shownBodies.delete(version.id);
    shownBodies.set(version.id, cached);
    return cached;
  }
  const shown = maskTemplateBody(version.body);
  if (shown.length <= SHOWN_BODIES_CHARACTERS / 4) {
    shownBodies.set(version.id, shown);
    shownCharacters += shown.length;
    for (const [id, body] of shownBodies) {
      if (shownCharacters <= SHOWN_BODIES_CHARACTERS) break;
      shownBodies.delete(id);
      shownCharacters -= body.length;
    }
  }
  return shown;
}

export async function findTemplate(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Template> {
  const found = await lookupTemplate(em, viewer, ref);
  if (!found) throw new NotFound('template', ref.id ?? ref.name ?? '');
  return found;
}

/** Another tenant's template does not exist for this viewer. */
export async function lookupTemplate(em: EntityManager, viewer: Viewer, ref: { id?: string | null; name?: string | null }): Promise<Template | null> {
  if (ref.id) return isUuid(ref.id) ? em.findOne(TemplateSchema, { id: ref.id, tenant: viewer.tenantId }) : null;
  if (ref.name) return em.findOne(TemplateSchema, { name: ref.name, tenant: viewer.tenantId });
  return null;
}

export async function listTemplates(em: EntityManager, viewer: Viewer, args: PageArgs & { name?: string | null }): Promise<Page<Template>> {
  const where = args.name ? { tenant: viewer.tenantId, name: { $ilike: `%${args.name.replace(/[%_\\]/g, '\\$&')}%` } } : { tenant: viewer.tenantId };
  return paginate(em, TemplateSchema, where, { createdAt: 'desc', id: 'desc' }, args);
}

export async function versionsOf(em: EntityManager, template: Template): Promise<TemplateVersion[]> {
  return em.find(TemplateVersionSchema, { template }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export async function latestVersionOf(em: EntityManager, template: Template): Promise<TemplateVersion> {
  const latest = await em.findOne(TemplateVersionSchema, { template }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  if (!latest) throw new Error(`template ${template.id} has no version`);
  return latest;
}

export async function findVersion(em: EntityManager, template: Template, version?: string | null): Promise<TemplateVersion> {
  if (!version) return latestVersionOf(em, template);
  const found = await em.findOne(TemplateVersionSchema, { template, version });
  if (!found) throw new NotFound(`version of template "${template.name}"`, version);
  return found;
}

export async function createTemplate(
  em: EntityManager,
  viewer: Viewer,
  input: { name: string; description?: string | null; version: string; body: string; shownBody?: string },
): Promise<Template> {
  assertCanChange(viewer);
  checkName('template', input.name);
  checkVersion(input.version);
  checkTemplateBody(input.body);
  const description = input.description ?? null;
  if (description && description.length > 4096) throw ValidationFailed.single('TOO_LONG', 'description', 'the description is longer than 4096 characters');
  try {
    return await em.transactional(async (tx) => {
      // Row lock on the tenant serialises creations, so two racing requests cannot both pass the quota.
      const tenant = await tx.findOneOrFail(TenantSchema, { id: viewer.tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const used = await tx.count(TemplateSchema, { tenant });
      if (used >= tenant.quotaTemplates) {
        throw new QuotaExceeded(`tenant "${tenant.name}" has ${used} templates, its quota is ${tenant.quotaTemplates}`, tenant.quotaTemplates);
      }
      const template = tx.create(TemplateSchema, { id: randomUUID(), tenant, name: input.name, description });
      tx.create(TemplateVersionSchema, { id: randomUUID(), template, version: input.version, body: input.body, shownBody: input.shownBody ?? maskTemplateBody(input.body) });
      await tx.flush();
      return template;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new NameTaken(`a template named "${input.name}" exists already`);
    throw error;
  }
}

export async function createTemplateVersion(
  em: EntityManager,
  viewer: Viewer,
  input: { templateId: string; version: string; body: string; shownBody?: string },
): Promise<Template> {
  assertCanChange(viewer);
  const template = await findTemplate(em, viewer, { id: input.templateId });
  checkVersion(input.version);
  checkTemplateBody(input.body);
  em.create(TemplateVersionSchema, { id: randomUUID(), template, version: input.version, body: input.body, shownBody: input.shownBody ?? maskTemplateBody(input.body) });
  template.updatedAt = new Date();
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new NameTaken(`template "${template.name}" has a version "${input.version}" already`);
    }
    throw error;
  }
  return template;
}

export async function deleteTemplate(em: EntityManager, viewer: Viewer, templateId: string): Promise<{ id: string; name: string }> {
  assertCanChange(viewer);
  const template = await findTemplate(em, viewer, { id: templateId });
  // Stacks keep their template's versions (they update and roll back to them): no delete under them.
  const user = await em.findOne(StackSchema, { template, ...LIVE_STACK }, { orderBy: { createdAt: 'asc' } });
  if (user) throw new InvalidStackState(`template "${template.name}" is used by stack "${user.name}"`, user.status, []);
  // Deleted stacks made from it would hold it forever (their records reference its versions): they go with it.
  await removeDeletedStacks(em, { template: template.id });
  const gone = { id: template.id, name: template.name };
  await em.nativeDelete(TemplateSchema, { id: template.id });
  return gone;
}
