// What every stack activity needs: its stack row, the stack's resolved template, and a way to
// record events. Element steps and action bookkeeping share it, each through its own factory.
import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/activity';
import { LRUCache } from 'lru-cache';
import type { AosConfig } from '../../../config.js';
import { StackSchema, TemplateVersionSchema, type Stack } from '../../../db/entities/index.js';
import type { TemplateSource } from '../../../domain/lifecycle.js';
import type { DriverRegistry } from '../../../drivers/registry.js';
import { publish } from '../../../events/publish.js';
import { recordStackEvent } from '../../../events/stack-events.js';
import type { WorkerMetrics } from '../../../observability/metrics.js';
import type { SecretBox } from '../../../security/secret-box.js';
import { analyzeTemplate, resolveTemplate, type ResolvedTemplate } from '../../../template/index.js';

export interface StackActivityDeps {
  orm: MikroORM;
  config: AosConfig;
  drivers: DriverRegistry;
  secrets: SecretBox;
  /** Length of one "minute" of a stack's timeout; tests shrink it to see a timeout fire. */
  timeoutUnitMs?: number;
  /** Elements of one wave deployed at once (AOS_ELEMENT_PARALLELISM; DEFAULT_ELEMENT_PARALLELISM when unset). */
  parallelism?: number;
  /** Health checks every this many ms after an action (0: none). */
  monitorIntervalMs?: number;
  /**
   * Action counters. Counted once the activity's writes are done (just before it returns), so a
   * retried activity counts once: only its successful attempt gets there.
   */
  metrics?: WorkerMetrics;
}

/** Resolved templates are pure functions of (version, inputs): a few per process are kept. */
const RESOLVED_TEMPLATES_KEPT = 64;

export function permanent(message: string, type = 'StackPermanent'): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Element steps take their error texts from here; the function itself is the domain's, shared with the workflows. */

/** Plain functions (no `this`): the activities destructure them. */
export interface StackRecords {
  fork: () => EntityManager;
  loadStack: (em: EntityManager, stackId: string) => Promise<Stack>;
  resolvedOf: (em: EntityManager, stack: Stack, source: TemplateSource) => Promise<ResolvedTemplate>;
  stackChanged: (em: EntityManager, stack: Stack) => Promise<void>;
  event: (em: EntityManager, stack: Stack, type: string, message: string, element?: string, status?: string) => Promise<void>;
}

/** One per worker: the resolved-template cache lives as long as the activities. */
export function createStackRecords(deps: StackActivityDeps): StackRecords {
  const cache = new LRUCache<string, ResolvedTemplate>({ max: RESOLVED_TEMPLATES_KEPT });

  const fork = (): EntityManager => deps.orm.em.fork();

  async function loadStack(em: EntityManager, stackId: string): Promise<Stack> {
    const stack = await em.findOne(StackSchema, { id: stackId }, { populate: ['tenant', 'cluster', 'serviceClusters'] });
    // A DELETED record is kept only to be read: for the engine the stack is gone (a retried finish of its delete must not record it twice).
    if (!stack || stack.status === 'DELETED') throw permanent(`stack ${stackId} no longer exists`, 'StackGone');
    return stack;
  }

  async function resolvedOf(em: EntityManager, stack: Stack, source: TemplateSource): Promise<ResolvedTemplate> {
    const target = source === 'pending' ? stack.pendingUpdate : { templateVersionId: stack.templateVersion.id, inputs: stack.inputs };
    if (!target) throw permanent(`stack ${stack.name} has no pending update`);
    const key = `${target.templateVersionId}:${createHash('sha256').update(JSON.stringify(target.inputs)).digest('hex')}`;
    const cached = cache.get(key);
    if (cached) return cached;
    // Versions never change: the body is read (and parsed) once per process and inputs.
    const version = await em.findOneOrFail(TemplateVersionSchema, { id: target.templateVersionId });
    const analysis = analyzeTemplate(version.body);
    if (!analysis.valid || !analysis.doc) throw permanent(`template version ${version.version} is no longer valid`);
    const { resolved, problems } = resolveTemplate(analysis.doc, deps.secrets.openAll(target.inputs));
    if (!resolved) throw permanent(`the inputs no longer fit the template: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    cache.set(key, resolved);
    return resolved;
  }

  async function stackChanged(em: EntityManager, stack: Stack): Promise<void> {
    await publish(em, 'stack.changed', { tenantId: stack.tenant.id, stackId: stack.id });
  }

  async function event(em: EntityManager, stack: Stack, type: string, message: string, element?: string, status?: string): Promise<void> {
    await recordStackEvent(em, { tenantId: stack.tenant.id, stackId: stack.id, type, element: element ?? null, status: status ?? null, message });
  }

  return { fork, loadStack, resolvedOf, stackChanged, event };
}
