import { Forbidden, TenantFrozen } from '../domain/errors.js';

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER';

/** Who is calling: resolved from the bearer token once per operation. */
export interface Viewer {
  userId: string;
  userName: string;
  role: Role;
  tenantId: string;
  tenantName: string;
  tenantState: 'ACTIVE' | 'FROZEN';
}

/** Tenant-scoped changes: VIEWERs never, frozen tenants never. */
export function assertCanChange(viewer: Viewer): void {
  if (viewer.role === 'VIEWER') throw new Forbidden('the VIEWER role can read but not change anything');
  if (viewer.tenantState === 'FROZEN') throw new TenantFrozen();
}

/** Platform administration (tenants, users, quotas) is not blocked by a freeze: it is how one thaws. */
export function assertAdmin(viewer: Viewer): void {
  if (viewer.role !== 'ADMIN') throw new Forbidden('only an ADMIN can do this');
}
