// Names of Docker objects on an engine that several tenants may share. Each name starts with a
// short hash of the tenant, so no tenant can pick a stack, namespace or element name that makes
// another tenant's objects' names (and so block its installs by creating them first).
import { createHash } from 'node:crypto';
import { physicalName, type ElementContext } from '../types.js';

/** First 8 hex digits of sha256(tenantId): a tag, not a secret (labels carry the tenant id anyway). */
export function tenantTag(tenantId: string): string {
  return createHash('sha256').update(tenantId).digest('hex').slice(0, 8);
}

/** `<tenant tag>-<namespace>-<stack>-<element>[-<suffix>]`, deterministic so retries find their work. */
export function dockerObjectName(ctx: Pick<ElementContext, 'tenantId' | 'namespace' | 'stackName' | 'element'>, suffix?: string): string {
  return `${tenantTag(ctx.tenantId)}-${physicalName(ctx, suffix)}`;
}

/**
 * The name objects had before names were tenant-scoped. Containers and volumes of such stacks are
 * still found by their labels; this name is only tried for volumes, so their data stays mounted.
 */
export function legacyObjectName(ctx: Pick<ElementContext, 'namespace' | 'stackName' | 'element'>, suffix?: string): string {
  return physicalName(ctx, suffix);
}
