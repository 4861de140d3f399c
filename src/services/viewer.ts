import { Forbidden, NotFound, TenantFrozen } from '../domain/errors.js';

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER';

/** The tenant the platform itself belongs to: its ADMINs administer the whole platform. */
export const PLATFORM_TENANT = 'default';

/** Who is calling: resolved from the bearer token on every operation. */
export interface Viewer {
  userId: string;
  userName: string;
  role: Role;
  tenantId: string;
  tenantName: string;
  tenantState: 'ACTIVE' | 'FROZEN';
  /** The token the call came with (revoking it ends the caller's sockets). */
  tokenId: string;
  /** ADMIN of the platform tenant: creates tenants, sets quotas, freezes, sees every tenant. */
  platformAdmin: boolean;
}

export function isPlatformAdmin(viewer: Pick<Viewer, 'role' | 'tenantName'>): boolean {
  return viewer.role === 'ADMIN' && viewer.tenantName === PLATFORM_TENANT;
}

/** Tenant-scoped changes: VIEWERs never, frozen tenants never. */
export function assertCanChange(viewer: Viewer): void {
  if (viewer.role === 'VIEWER') throw new Forbidden('the VIEWER role can read but not change anything');
  if (viewer.tenantState === 'FROZEN') throw new TenantFrozen();
}

/**
 * Platform administration (tenants, quotas, freezing). Not blocked by a freeze: it is how one
 * thaws. Anyone else is told only that they may not: what exists stays unsaid.
 */
export function assertPlatformAdmin(viewer: Viewer): void {
  if (!viewer.platformAdmin) throw new Forbidden('only the platform administrator can do this');
}

/**
 * Administration of one tenant (its users, tokens, clusters): the tenant's own ADMIN or the
 * platform administrator. Another tenant's ADMIN gets NotFound, so ids of other tenants leak nothing.
 */
export function assertTenantAdmin(viewer: Viewer, tenantId: string, what = 'tenant'): void {
  if (viewer.platformAdmin) return;
  if (viewer.tenantId !== tenantId) throw new NotFound(what, tenantId);
  if (viewer.role !== 'ADMIN') throw new Forbidden('only an ADMIN of this tenant can do this');
  if (viewer.tenantState === 'FROZEN') throw new TenantFrozen();
}

/** Whether the viewer may see rows of `tenantId` (its own, or any for the platform administrator). */
export function canSeeTenant(viewer: Viewer, tenantId: string | null | undefined): boolean {
  return viewer.platformAdmin || (!!tenantId && tenantId === viewer.tenantId);
}
