// What the signed-in user may do, mirroring the server's rules (src/services/viewer.ts): the
// console offers only those actions; the server checks every one again.
import type { Viewer } from './session';

/** Templates and stacks: OPERATOR and ADMIN of a tenant that is not frozen (assertCanChange). */
export function canChange(viewer: Viewer): boolean {
  return viewer.role !== 'VIEWER' && viewer.tenant.state !== 'FROZEN';
}

/**
 * The tenant's clusters, users and tokens of others: its ADMIN (not while frozen) or the platform
 * administrator (assertTenantAdmin).
 * @public used by the clusters and admin pages
 */
export function canAdministerTenant(viewer: Viewer): boolean {
  return viewer.platformAdmin || (viewer.role === 'ADMIN' && viewer.tenant.state !== 'FROZEN');
}

/** Tenants, quotas, freezing: the platform administrator only (assertPlatformAdmin). */
export function isPlatformAdmin(viewer: Viewer): boolean {
  return viewer.platformAdmin;
}

/**
 * A stack's actions the console offers: those the API allows now, and only to roles that may change.
 * @public
 */
export function offeredStackActions(viewer: Viewer, allowedActions: readonly string[]): string[] {
  return canChange(viewer) ? [...allowedActions] : [];
}
