import { outcomeOf, writeAudit, type AuditEntry } from '../src/audit/audit.js';
import { publish } from '../src/events/publish.js';
import type { GraphQLContext } from './context.js';

export interface AuditSpec<Args, Result> {
  /** The work itself. Listed first so that `after` and `message` infer its result type. */
  run: (args: Args, ctx: GraphQLContext) => Promise<Result>;
  traceName: AuditEntry['traceName'];
  resourceType: string;
  /** The resource as known before the work (from the arguments). */
  before?: (args: Args) => { id?: string | null; name?: string | null };
  /** The resource as known after success (e.g. a new id). */
  after?: (result: Result, args: Args) => { id?: string | null; name?: string | null };
  /**
   * Request keys to mask beyond the usual secret names (e.g. a template's password inputs). May
   * look things up; it runs before the work, so it sees what the work may delete, and must not throw.
   */
  secretKeys?: (args: Args, ctx: GraphQLContext) => ReadonlySet<string> | Promise<ReadonlySet<string>>;
  message?: (result: Result, args: Args) => string;
  /**
   * The tenant acted on, when it can be another than the caller's (platform administration): the
   * record then shows in that tenant's trail too. Known from the arguments, or from the result.
   */
  targetTenant?: (args: Args, result?: Result) => string | null | undefined;
}

/**
 * Wraps a mutation resolver so that every call, failed ones included, leaves one audit record.
 * The errors plugin sits outside this wrapper: a domain error is recorded here, then becomes a
 * typed result there.
 */
export function audited<Args extends { input: object }, Result>(
  spec: AuditSpec<Args, Result>,
): (root: unknown, args: Args, ctx: GraphQLContext) => Promise<Result> {
  return async (_root, args, ctx) => {
    const known = spec.before?.(args) ?? {};
    const secretKeys = await spec.secretKeys?.(args, ctx);
    const entry = (resource: { id?: string | null; name?: string | null }, result?: Result): AuditEntry => ({
      traceName: spec.traceName,
      resourceType: spec.resourceType,
      resourceId: resource.id ?? known.id ?? null,
      resourceName: resource.name ?? known.name ?? null,
      request: args.input,
      secretKeys,
      // A failed cross-tenant attempt by a tenant's ADMIN stays in the attacker's own trail only:
      // the target sees what the platform administrator did and what succeeded.
      targetTenantId: result !== undefined || ctx.viewer.platformAdmin ? (spec.targetTenant?.(args, result) ?? null) : null,
    });
    let result: Result;
    try {
      result = await spec.run(args, ctx);
    } catch (error) {
      if (!(error instanceof Error) || outcomeOf(error).code === 500) console.error(`[api] ${spec.traceName} failed:`, error);
      await record(ctx, entry({}), outcomeOf(error));
      throw error;
    }
    const message = spec.message?.(result, args) ?? `${spec.traceName} succeeded`;
    await record(ctx, entry(spec.after?.(result, args) ?? {}, result), { code: 200, traceStatus: 'normal', message });
    return result;
  };
}

async function record(ctx: GraphQLContext, entry: AuditEntry, outcome: Parameters<typeof writeAudit>[4]): Promise<void> {
  const saved = await writeAudit(ctx.em, ctx.viewer, ctx.sourceIp, entry, outcome);
  await publish(ctx.em.fork(), 'audit.recorded', { tenantId: saved.tenantId ?? null, targetTenantId: saved.targetTenantId ?? null, id: saved.id });
}
