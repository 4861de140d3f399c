/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AuditFilter = {
  from?: string | null | undefined;
  resourceId?: string | null | undefined;
  resourceName?: string | null | undefined;
  resourceType?: string | null | undefined;
  to?: string | null | undefined;
  traceName?: string | null | undefined;
  traceStatus?: string | null | undefined;
  user?: string | null | undefined;
};

export type CloneStackInput = {
  /** Makes the call idempotent: a repeat returns the stack the first call created. */
  clientRequestToken?: string | null | undefined;
  /** Default: the source's cluster. Its service clusters go along (but one of this cluster's kind). */
  clusterId?: string | number | null | undefined;
  clusterName?: string | null | undefined;
  /** default true: install right away */
  deploy?: boolean | null | undefined;
  /** Overrides; every other input (password inputs too) is copied on the server. */
  inputs?: unknown;
  /** The copy's name. */
  name: string;
  /** Default: the source's namespace. */
  namespace?: string | null | undefined;
  /** The stack to copy. */
  stackId: string | number;
};

export type ClusterKind =
  | 'DOCKER'
  | 'KUBERNETES'
  | 'POSTGRESQL';

export type CreateStackInput = {
  /** default true */
  autoRollback?: boolean | null | undefined;
  /** Makes the call idempotent: a repeat returns the stack the first call created. */
  clientRequestToken?: string | null | undefined;
  clusterId?: string | number | null | undefined;
  clusterName?: string | null | undefined;
  /** default true: install right away */
  deploy?: boolean | null | undefined;
  description?: string | null | undefined;
  /** { name: value } */
  inputs?: unknown;
  name: string;
  /** A DNS label; default "default". */
  namespace?: string | null | undefined;
  /** Clusters (ids or names) of other kinds, at most one per kind and 4 in all, for the elements whose type the stack's cluster does not deploy (e.g. a POSTGRESQL cluster for CTC.RDS.PostgreSQL beside a DOCKER cluster). */
  serviceClusters?: Array<string> | null | undefined;
  templateId?: string | number | null | undefined;
  templateName?: string | null | undefined;
  /** default: latest */
  templateVersion?: string | null | undefined;
  /** default 60, 1..1440 */
  timeoutMinutes?: number | null | undefined;
};

export type CreateTemplateInput = {
  /** The template text, YAML or JSON. */
  body: string;
  description?: string | null | undefined;
  name: string;
  version: string;
};

export type CreateTemplateVersionInput = {
  body: string;
  templateId: string | number;
  version: string;
};

export type CreateTenantInput = {
  name: string;
};

export type CreateTokenInput = {
  /** 1 to 3650; left out, the token does not expire. */
  expiresInDays?: number | null | undefined;
  name: string;
  userId: string | number;
};

export type CreateUserInput = {
  name: string;
  role: Role;
  tenantId: string | number;
};

export type DeleteClusterInput = {
  clusterId: string | number;
};

export type DeleteStackInput = {
  /** Remove the record even if resources cannot be removed (they are listed in an event). */
  force?: boolean | null | undefined;
  stackId: string | number;
};

export type DeleteTemplateInput = {
  templateId: string | number;
};

export type DeleteUserInput = {
  userId: string | number;
};

export type ElementHealth =
  | 'ABNORMAL'
  | 'HEALTHY'
  | 'UNKNOWN';

export type ExecuteStackActionInput = {
  action: StackActionKind;
  /** Makes the call idempotent: a repeat while (or after) the action runs returns the stack, no second action. */
  clientRequestToken?: string | null | undefined;
  stackId: string | number;
};

export type ExportStackInputsInput = {
  format: InputFormat;
  stackId: string | number;
};

export type InputFormat =
  | 'JSON'
  | 'YAML';

export type RegisterClusterInput = {
  /** POSTGRESQL (stored encrypted): postgresql://user:password@host:port/database, only sslmode as a parameter */
  connectionUrl?: string | null | undefined;
  /** DOCKER: unix:///path or tcp://host:port */
  endpoint?: string | null | undefined;
  kind: ClusterKind;
  /** KUBERNETES (stored encrypted) */
  kubeconfig?: string | null | undefined;
  name: string;
  /** DOCKER: where ports are published; default 127.0.0.1. KUBERNETES: where NodePorts are reached; default the API server's host. POSTGRESQL: host or host:port workloads reach the server at; default the connection URL's. */
  publishAddress?: string | null | undefined;
  /** DOCKER, KUBERNETES: the stop grace (0 to 300 s) of instances whose element sets none. Default: the platform's on Docker, Kubernetes' own. */
  stopGracePeriodSeconds?: number | null | undefined;
  /** The platform administrator's registration for a tenant (trusted: outside the tenant endpoint policy). Default: the caller's tenant. */
  tenantId?: string | number | null | undefined;
};

export type RevokeTokenInput = {
  tokenId: string | number;
};

export type Role =
  | 'ADMIN'
  | 'OPERATOR'
  | 'VIEWER';

export type SetQuotaInput = {
  stacks?: number | null | undefined;
  templates?: number | null | undefined;
  tenantId: string | number;
};

export type SetTenantStateInput = {
  state: TenantState;
  tenantId: string | number;
};

export type StackActionKind =
  | 'INSTALL'
  | 'RETRY'
  | 'ROLLBACK'
  | 'START'
  | 'STOP';

export type StackFilter = {
  /** Deleted stacks too (status DELETED, kept readable for the retention period); default false. A status filter of DELETED implies it. */
  includeDeleted?: boolean | null | undefined;
  /** Names containing this text. */
  name?: string | null | undefined;
  status?: StackStatus | null | undefined;
  templateId?: string | number | null | undefined;
};

export type StackIdInput = {
  stackId: string | number;
};

export type StackStatus =
  | 'ABNORMAL'
  | 'DELETED'
  | 'INITIAL'
  | 'NORMAL'
  | 'PARTIALLY_STOPPED'
  | 'PROCESSING'
  | 'STOPPED'
  | 'UNKNOWN_ERROR';

export type TenantState =
  | 'ACTIVE'
  | 'FROZEN';

export type UpdateStackInput = {
  clientRequestToken?: string | null | undefined;
  /** Overlaid on the current inputs; null resets an input to its default; "******" keeps a password input. */
  inputs?: unknown;
  stackId: string | number;
  /** default: the version the stack runs */
  templateVersion?: string | null | undefined;
};

export type AuditRecordsQueryVariables = Exact<{
  after?: string | null | undefined;
  before?: string | null | undefined;
  filter?: AuditFilter | null | undefined;
  first?: number | null | undefined;
  last?: number | null | undefined;
}>;


export type AuditRecordsQuery = { auditRecords: { edges: Array<{ cursor: string, node: { code: number, id: string, message: string, request: unknown, resourceId: string | null, resourceName: string | null, resourceType: string, sourceIp: string | null, tenant: string, time: string, traceName: string, traceStatus: string, user: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null } } };

export type QuotaQueryVariables = Exact<{ [key: string]: never; }>;


export type QuotaQuery = { quota: { stacks: number, stacksUsed: number, templates: number, templatesUsed: number } };

export type TenantsQueryVariables = Exact<{ [key: string]: never; }>;


export type TenantsQuery = { tenants: Array<{ id: string, name: string, state: TenantState }> };

export type UsersQueryVariables = Exact<{
  tenantId?: string | number | null | undefined;
}>;


export type UsersQuery = { users: Array<{ id: string, name: string, platformAdmin: boolean, role: Role, tenant: { id: string, name: string, state: TenantState }, tokens: Array<{ createdAt: string, expiresAt: string | null, id: string, lastUsedAt: string | null, name: string }> }> };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, name: string, platformAdmin: boolean, role: Role, tenant: { id: string, name: string, state: TenantState }, tokens: Array<{ createdAt: string, expiresAt: string | null, id: string, lastUsedAt: string | null, name: string }> } };

export type CreateTenantMutationVariables = Exact<{
  input: CreateTenantInput;
}>;


export type CreateTenantMutation = { createTenant:
    | { __typename: 'CreateTenantSuccess', tenant: { id: string, name: string, state: TenantState } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type CreateTokenMutationVariables = Exact<{
  input: CreateTokenInput;
}>;


export type CreateTokenMutation = { createToken:
    | { __typename: 'CreateTokenSuccess', token: string, apiToken: { createdAt: string, expiresAt: string | null, id: string, lastUsedAt: string | null, name: string } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { createUser:
    | { __typename: 'CreateUserSuccess', token: string, user: { id: string, name: string, role: Role, platformAdmin: boolean } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type DeleteUserMutationVariables = Exact<{
  input: DeleteUserInput;
}>;


export type DeleteUserMutation = { deleteUser:
    | { __typename: 'DeleteUserSuccess', userId: string }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
   };

export type RevokeTokenMutationVariables = Exact<{
  input: RevokeTokenInput;
}>;


export type RevokeTokenMutation = { revokeToken:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'RevokeTokenSuccess', tokenId: string }
   };

export type SetQuotaMutationVariables = Exact<{
  input: SetQuotaInput;
}>;


export type SetQuotaMutation = { setQuota:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'SetQuotaSuccess', quota: { stacks: number, stacksUsed: number, templates: number, templatesUsed: number } }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type SetTenantStateMutationVariables = Exact<{
  input: SetTenantStateInput;
}>;


export type SetTenantStateMutation = { setTenantState:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'SetTenantStateSuccess', tenant: { id: string, name: string, state: TenantState } }
   };

export type TenantQuotasQueryVariables = Exact<{ [key: string]: never; }>;


export type TenantQuotasQuery = { tenants: Array<{ id: string, name: string, state: TenantState, quota: { stacks: number, stacksUsed: number, templates: number, templatesUsed: number } | null }> };

export type ClustersQueryVariables = Exact<{ [key: string]: never; }>;


export type ClustersQuery = { clusters: Array<{ createdAt: string, endpoint: string | null, healthMessage: string | null, healthy: boolean, id: string, kind: ClusterKind, name: string, publishAddress: string | null, trusted: boolean, version: string | null }> };

export type DeleteClusterMutationVariables = Exact<{
  input: DeleteClusterInput;
}>;


export type DeleteClusterMutation = { deleteCluster:
    | { __typename: 'ClusterInUse', code: string, message: string, stacks: Array<string> }
    | { __typename: 'DeleteClusterSuccess', clusterId: string }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'TenantFrozen', code: string, message: string }
   };

export type RegisterClusterMutationVariables = Exact<{
  input: RegisterClusterInput;
}>;


export type RegisterClusterMutation = { registerCluster:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'RegisterClusterSuccess', cluster: { healthy: boolean, healthMessage: string | null, version: string | null, id: string, name: string, kind: ClusterKind, endpoint: string | null, publishAddress: string | null, stopGracePeriodSeconds: number | null, trusted: boolean } }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type StackSummaryFragment = { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null };

export type TemplateSummaryFragment = { id: string, name: string, description: string | null, updatedAt: string };

export type TemplateVersionSummaryFragment = { id: string, version: string, createdAt: string };

export type ClusterSummaryFragment = { id: string, name: string, kind: ClusterKind, endpoint: string | null, publishAddress: string | null, stopGracePeriodSeconds: number | null, trusted: boolean };

export type TenantSummaryFragment = { id: string, name: string, state: TenantState };

export type UserSummaryFragment = { id: string, name: string, role: Role, platformAdmin: boolean };

export type ProblemFragment = { code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string };

export type StackEventFieldsFragment = { cursor: string, element: string | null, id: string, message: string, stackId: string, status: string | null, time: string, type: string };

export type StackPlanFieldsFragment = { waves: Array<Array<string>>, steps: Array<{ element: string, type: string, change: string, properties: unknown, changedProperties: Array<string>, dependsOn: Array<string> }>, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> };

export type StackQueryVariables = Exact<{
  id?: string | number | null | undefined;
  name?: string | null | undefined;
}>;


export type StackQuery = { stack: { action: string | null, actionState: string | null, allowedActions: Array<string>, autoRollback: boolean, createdAt: string, deletedAt: string | null, description: string | null, id: string, name: string, namespace: string | null, revision: number, status: StackStatus, statusReason: string | null, timeoutMinutes: number, updatedAt: string, progress: { done: number, total: number } | null, alarms: Array<{ clearedAt: string | null, element: string | null, id: string, message: string, raisedAt: string }>, cluster: { id: string, name: string, kind: ClusterKind, endpoint: string | null, publishAddress: string | null, stopGracePeriodSeconds: number | null, trusted: boolean } | null, elements: Array<{ attributes: unknown, dependsOn: Array<string>, health: ElementHealth, name: string, physicalId: string | null, properties: unknown, status: string, statusReason: string | null, type: string, updatedAt: string }>, topology: { nodes: Array<{ element: string, x: number, y: number, width: number, height: number }> } | null, inputs: Array<{ name: string, value: unknown }>, outputs: Array<{ description: string | null, name: string, value: unknown }>, serviceClusters: Array<{ id: string, name: string, kind: ClusterKind, endpoint: string | null, publishAddress: string | null, stopGracePeriodSeconds: number | null, trusted: boolean }>, template: { id: string, name: string, description: string | null, updatedAt: string }, templateVersion: { id: string, version: string, createdAt: string } } | null };

export type StackStatusQueryVariables = Exact<{
  id?: string | number | null | undefined;
  name?: string | null | undefined;
}>;


export type StackStatusQuery = { stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } | null };

export type StacksQueryVariables = Exact<{
  after?: string | null | undefined;
  before?: string | null | undefined;
  filter?: StackFilter | null | undefined;
  first?: number | null | undefined;
  last?: number | null | undefined;
}>;


export type StacksQuery = { stacks: { edges: Array<{ cursor: string, node: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null, progress: { done: number, total: number } | null, template: { id: string, name: string, description: string | null, updatedAt: string }, templateVersion: { id: string, version: string, createdAt: string }, cluster: { id: string, name: string, kind: ClusterKind, endpoint: string | null, publishAddress: string | null, stopGracePeriodSeconds: number | null, trusted: boolean } | null } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null } } };

export type CancelStackActionMutationVariables = Exact<{
  input: StackIdInput;
}>;


export type CancelStackActionMutation = { cancelStackAction:
    | { __typename: 'CancelStackActionSuccess', stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
   };

export type CloneStackMutationVariables = Exact<{
  input: CloneStackInput;
}>;


export type CloneStackMutation = { cloneStack:
    | { __typename: 'CloneStackSuccess', stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'QuotaExceeded', code: string, message: string, limit: number }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type CreateStackMutationVariables = Exact<{
  input: CreateStackInput;
}>;


export type CreateStackMutation = { createStack:
    | { __typename: 'CreateStackSuccess', stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'QuotaExceeded', code: string, message: string, limit: number }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type DeleteStackMutationVariables = Exact<{
  input: DeleteStackInput;
}>;


export type DeleteStackMutation = { deleteStack:
    | { __typename: 'DeleteStackSuccess', stackId: string }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'StackBusy', code: string, message: string, action: string, allowedActions: Array<string> }
    | { __typename: 'TenantFrozen', code: string, message: string }
   };

export type ExecuteStackActionMutationVariables = Exact<{
  input: ExecuteStackActionInput;
}>;


export type ExecuteStackActionMutation = { executeStackAction:
    | { __typename: 'ExecuteStackActionSuccess', stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'StackBusy', code: string, message: string, action: string, allowedActions: Array<string> }
    | { __typename: 'TenantFrozen', code: string, message: string }
   };

export type ExportStackInputsMutationVariables = Exact<{
  input: ExportStackInputsInput;
}>;


export type ExportStackInputsMutation = { exportStackInputs:
    | { __typename: 'ExportStackInputsSuccess', text: string }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
   };

export type PreviewStackMutationVariables = Exact<{
  input: CreateStackInput;
}>;


export type PreviewStackMutation = { previewStack:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'PreviewStackSuccess', plan: { waves: Array<Array<string>>, steps: Array<{ element: string, type: string, change: string, properties: unknown, changedProperties: Array<string>, dependsOn: Array<string> }>, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> } }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type PreviewStackUpdateMutationVariables = Exact<{
  input: UpdateStackInput;
}>;


export type PreviewStackUpdateMutation = { previewStackUpdate:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'PreviewStackUpdateSuccess', plan: { waves: Array<Array<string>>, steps: Array<{ element: string, type: string, change: string, properties: unknown, changedProperties: Array<string>, dependsOn: Array<string> }>, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> } }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type UpdateStackMutationVariables = Exact<{
  input: UpdateStackInput;
}>;


export type UpdateStackMutation = { updateStack:
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'StackBusy', code: string, message: string, action: string, allowedActions: Array<string> }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'UpdateStackSuccess', stack: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type StackEventsSinceQueryVariables = Exact<{
  id: string | number;
  since?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StackEventsSinceQuery = { stack: { id: string, events: { edges: Array<{ cursor: string, node: { cursor: string, element: string | null, id: string, message: string, stackId: string, status: string | null, time: string, type: string } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } } | null };

export type AuditRecordedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AuditRecordedSubscription = { auditRecorded: { code: number, id: string, message: string, request: unknown, resourceId: string | null, resourceName: string | null, resourceType: string, sourceIp: string | null, tenant: string, time: string, traceName: string, traceStatus: string, user: string } };

export type StackChangedSubscriptionVariables = Exact<{
  stackId: string | number;
}>;


export type StackChangedSubscription = { stackChanged: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null } };

export type StackEventsSubscriptionVariables = Exact<{
  stackId: string | number;
}>;


export type StackEventsSubscription = { stackEvents: { cursor: string, element: string | null, id: string, message: string, stackId: string, status: string | null, time: string, type: string } };

export type StacksChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type StacksChangedSubscription = { stacksChanged: { id: string, name: string, status: StackStatus, statusReason: string | null, action: string | null, actionState: string | null, allowedActions: Array<string>, revision: number, namespace: string | null, updatedAt: string, deletedAt: string | null, progress: { done: number, total: number } | null } };

export type TemplateQueryVariables = Exact<{
  id?: string | number | null | undefined;
  name?: string | null | undefined;
}>;


export type TemplateQuery = { template: { createdAt: string, description: string | null, id: string, name: string, updatedAt: string, latestVersion: { id: string, version: string, createdAt: string }, versions: Array<{ id: string, version: string, createdAt: string }> } | null };

export type TemplatesQueryVariables = Exact<{
  after?: string | null | undefined;
  before?: string | null | undefined;
  first?: number | null | undefined;
  last?: number | null | undefined;
  name?: string | null | undefined;
}>;


export type TemplatesQuery = { templates: { edges: Array<{ cursor: string, node: { id: string, name: string, description: string | null, updatedAt: string, latestVersion: { id: string, version: string, createdAt: string }, versions: Array<{ id: string, version: string, createdAt: string }> } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null } } };

export type ValidateTemplateQueryVariables = Exact<{
  body: string;
}>;


export type ValidateTemplateQuery = { validateTemplate: { elements: Array<string>, outputs: Array<string>, valid: boolean, inputs: Array<{ constraints: unknown, default: unknown, description: string | null, immutable: boolean, label: string | null, name: string, required: boolean, secret: boolean, type: string }>, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> } };

export type CreateTemplateMutationVariables = Exact<{
  input: CreateTemplateInput;
}>;


export type CreateTemplateMutation = { createTemplate:
    | { __typename: 'CreateTemplateSuccess', template: { id: string, name: string, description: string | null, updatedAt: string, versions: Array<{ id: string, version: string, createdAt: string }> } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'QuotaExceeded', code: string, message: string, limit: number }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type CreateTemplateVersionMutationVariables = Exact<{
  input: CreateTemplateVersionInput;
}>;


export type CreateTemplateVersionMutation = { createTemplateVersion:
    | { __typename: 'CreateTemplateVersionSuccess', template: { id: string, name: string, description: string | null, updatedAt: string, versions: Array<{ id: string, version: string, createdAt: string }> } }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'NameTaken', code: string, message: string }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'TenantFrozen', code: string, message: string }
    | { __typename: 'ValidationError', code: string, message: string, problems: Array<{ code: string, column: number | null, hint: string | null, line: number | null, message: string, path: string }> }
   };

export type DeleteTemplateMutationVariables = Exact<{
  input: DeleteTemplateInput;
}>;


export type DeleteTemplateMutation = { deleteTemplate:
    | { __typename: 'DeleteTemplateSuccess', templateId: string }
    | { __typename: 'Forbidden', code: string, message: string }
    | { __typename: 'InvalidStackState', code: string, message: string, allowedActions: Array<string>, status: StackStatus }
    | { __typename: 'NotFound', code: string, message: string }
    | { __typename: 'TenantFrozen', code: string, message: string }
   };

export type TemplateVersionDetailQueryVariables = Exact<{
  id?: string | number | null | undefined;
  name?: string | null | undefined;
}>;


export type TemplateVersionDetailQuery = { template: { id: string, name: string, latestVersion: { id: string, version: string, body: string, inputs: Array<{ constraints: unknown, default: unknown, description: string | null, immutable: boolean, label: string | null, name: string, required: boolean, secret: boolean, type: string }> } } | null };

export type TemplateVersionsQueryVariables = Exact<{
  id?: string | number | null | undefined;
  name?: string | null | undefined;
}>;


export type TemplateVersionsQuery = { template: { id: string, name: string, description: string | null, updatedAt: string, versions: Array<{ body: string, id: string, version: string, createdAt: string, inputs: Array<{ constraints: unknown, default: unknown, description: string | null, immutable: boolean, label: string | null, name: string, required: boolean, secret: boolean, type: string }> }> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const StackSummaryFragmentDoc = new TypedDocumentString(`
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}
    `, {"fragmentName":"StackSummary"}) as unknown as TypedDocumentString<StackSummaryFragment, unknown>;
export const TemplateSummaryFragmentDoc = new TypedDocumentString(`
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
    `, {"fragmentName":"TemplateSummary"}) as unknown as TypedDocumentString<TemplateSummaryFragment, unknown>;
export const TemplateVersionSummaryFragmentDoc = new TypedDocumentString(`
    fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}
    `, {"fragmentName":"TemplateVersionSummary"}) as unknown as TypedDocumentString<TemplateVersionSummaryFragment, unknown>;
export const ClusterSummaryFragmentDoc = new TypedDocumentString(`
    fragment ClusterSummary on Cluster {
  id
  name
  kind
  endpoint
  publishAddress
  stopGracePeriodSeconds
  trusted
}
    `, {"fragmentName":"ClusterSummary"}) as unknown as TypedDocumentString<ClusterSummaryFragment, unknown>;
export const TenantSummaryFragmentDoc = new TypedDocumentString(`
    fragment TenantSummary on Tenant {
  id
  name
  state
}
    `, {"fragmentName":"TenantSummary"}) as unknown as TypedDocumentString<TenantSummaryFragment, unknown>;
export const UserSummaryFragmentDoc = new TypedDocumentString(`
    fragment UserSummary on User {
  id
  name
  role
  platformAdmin
}
    `, {"fragmentName":"UserSummary"}) as unknown as TypedDocumentString<UserSummaryFragment, unknown>;
export const StackEventFieldsFragmentDoc = new TypedDocumentString(`
    fragment StackEventFields on StackEvent {
  cursor
  element
  id
  message
  stackId
  status
  time
  type
}
    `, {"fragmentName":"StackEventFields"}) as unknown as TypedDocumentString<StackEventFieldsFragment, unknown>;
export const ProblemFragmentDoc = new TypedDocumentString(`
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}
    `, {"fragmentName":"Problem"}) as unknown as TypedDocumentString<ProblemFragment, unknown>;
export const StackPlanFieldsFragmentDoc = new TypedDocumentString(`
    fragment StackPlanFields on StackPlan {
  steps {
    element
    type
    change
    properties
    changedProperties
    dependsOn
  }
  problems {
    ...Problem
  }
  waves
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`, {"fragmentName":"StackPlanFields"}) as unknown as TypedDocumentString<StackPlanFieldsFragment, unknown>;
export const AuditRecordsDocument = new TypedDocumentString(`
    query AuditRecords($after: String, $before: String, $filter: AuditFilter, $first: Int, $last: Int) {
  auditRecords(
    after: $after
    before: $before
    filter: $filter
    first: $first
    last: $last
  ) {
    edges {
      cursor
      node {
        code
        id
        message
        request
        resourceId
        resourceName
        resourceType
        sourceIp
        tenant
        time
        traceName
        traceStatus
        user
      }
    }
    pageInfo {
      endCursor
      hasNextPage
      hasPreviousPage
      startCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AuditRecordsQuery, AuditRecordsQueryVariables>;
export const QuotaDocument = new TypedDocumentString(`
    query Quota {
  quota {
    stacks
    stacksUsed
    templates
    templatesUsed
  }
}
    `) as unknown as TypedDocumentString<QuotaQuery, QuotaQueryVariables>;
export const TenantsDocument = new TypedDocumentString(`
    query Tenants {
  tenants {
    id
    name
    state
  }
}
    `) as unknown as TypedDocumentString<TenantsQuery, TenantsQueryVariables>;
export const UsersDocument = new TypedDocumentString(`
    query Users($tenantId: ID) {
  users(tenantId: $tenantId) {
    id
    name
    platformAdmin
    role
    tenant {
      ...TenantSummary
    }
    tokens {
      createdAt
      expiresAt
      id
      lastUsedAt
      name
    }
  }
}
    fragment TenantSummary on Tenant {
  id
  name
  state
}`) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    id
    name
    platformAdmin
    role
    tenant {
      ...TenantSummary
    }
    tokens {
      createdAt
      expiresAt
      id
      lastUsedAt
      name
    }
  }
}
    fragment TenantSummary on Tenant {
  id
  name
  state
}`) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const CreateTenantDocument = new TypedDocumentString(`
    mutation CreateTenant($input: CreateTenantInput!) {
  createTenant(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateTenantSuccess {
      tenant {
        ...TenantSummary
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment TenantSummary on Tenant {
  id
  name
  state
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateTenantMutation, CreateTenantMutationVariables>;
export const CreateTokenDocument = new TypedDocumentString(`
    mutation CreateToken($input: CreateTokenInput!) {
  createToken(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateTokenSuccess {
      token
      apiToken {
        createdAt
        expiresAt
        id
        lastUsedAt
        name
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateTokenMutation, CreateTokenMutationVariables>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateUserSuccess {
      token
      user {
        ...UserSummary
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment UserSummary on User {
  id
  name
  role
  platformAdmin
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const DeleteUserDocument = new TypedDocumentString(`
    mutation DeleteUser($input: DeleteUserInput!) {
  deleteUser(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on DeleteUserSuccess {
      userId
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteUserMutation, DeleteUserMutationVariables>;
export const RevokeTokenDocument = new TypedDocumentString(`
    mutation RevokeToken($input: RevokeTokenInput!) {
  revokeToken(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on RevokeTokenSuccess {
      tokenId
    }
  }
}
    `) as unknown as TypedDocumentString<RevokeTokenMutation, RevokeTokenMutationVariables>;
export const SetQuotaDocument = new TypedDocumentString(`
    mutation SetQuota($input: SetQuotaInput!) {
  setQuota(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on SetQuotaSuccess {
      quota {
        stacks
        stacksUsed
        templates
        templatesUsed
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<SetQuotaMutation, SetQuotaMutationVariables>;
export const SetTenantStateDocument = new TypedDocumentString(`
    mutation SetTenantState($input: SetTenantStateInput!) {
  setTenantState(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on SetTenantStateSuccess {
      tenant {
        ...TenantSummary
      }
    }
  }
}
    fragment TenantSummary on Tenant {
  id
  name
  state
}`) as unknown as TypedDocumentString<SetTenantStateMutation, SetTenantStateMutationVariables>;
export const TenantQuotasDocument = new TypedDocumentString(`
    query TenantQuotas {
  tenants {
    ...TenantSummary
    quota {
      stacks
      stacksUsed
      templates
      templatesUsed
    }
  }
}
    fragment TenantSummary on Tenant {
  id
  name
  state
}`) as unknown as TypedDocumentString<TenantQuotasQuery, TenantQuotasQueryVariables>;
export const ClustersDocument = new TypedDocumentString(`
    query Clusters {
  clusters {
    createdAt
    endpoint
    healthMessage
    healthy
    id
    kind
    name
    publishAddress
    trusted
    version
  }
}
    `) as unknown as TypedDocumentString<ClustersQuery, ClustersQueryVariables>;
export const DeleteClusterDocument = new TypedDocumentString(`
    mutation DeleteCluster($input: DeleteClusterInput!) {
  deleteCluster(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on ClusterInUse {
      stacks
    }
    ... on DeleteClusterSuccess {
      clusterId
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteClusterMutation, DeleteClusterMutationVariables>;
export const RegisterClusterDocument = new TypedDocumentString(`
    mutation RegisterCluster($input: RegisterClusterInput!) {
  registerCluster(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on RegisterClusterSuccess {
      cluster {
        ...ClusterSummary
        healthy
        healthMessage
        version
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment ClusterSummary on Cluster {
  id
  name
  kind
  endpoint
  publishAddress
  stopGracePeriodSeconds
  trusted
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<RegisterClusterMutation, RegisterClusterMutationVariables>;
export const StackDocument = new TypedDocumentString(`
    query Stack($id: ID, $name: String) {
  stack(id: $id, name: $name) {
    action
    actionState
    allowedActions
    autoRollback
    createdAt
    deletedAt
    description
    id
    name
    namespace
    revision
    status
    statusReason
    timeoutMinutes
    updatedAt
    progress {
      done
      total
    }
    alarms {
      clearedAt
      element
      id
      message
      raisedAt
    }
    cluster {
      ...ClusterSummary
    }
    elements {
      attributes
      dependsOn
      health
      name
      physicalId
      properties
      status
      statusReason
      type
      updatedAt
    }
    topology {
      nodes {
        element
        x
        y
        width
        height
      }
    }
    inputs {
      name
      value
    }
    outputs {
      description
      name
      value
    }
    serviceClusters {
      ...ClusterSummary
    }
    template {
      ...TemplateSummary
    }
    templateVersion {
      ...TemplateVersionSummary
    }
  }
}
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}
fragment ClusterSummary on Cluster {
  id
  name
  kind
  endpoint
  publishAddress
  stopGracePeriodSeconds
  trusted
}`) as unknown as TypedDocumentString<StackQuery, StackQueryVariables>;
export const StackStatusDocument = new TypedDocumentString(`
    query StackStatus($id: ID, $name: String) {
  stack(id: $id, name: $name) {
    ...StackSummary
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}`) as unknown as TypedDocumentString<StackStatusQuery, StackStatusQueryVariables>;
export const StacksDocument = new TypedDocumentString(`
    query Stacks($after: String, $before: String, $filter: StackFilter, $first: Int, $last: Int) {
  stacks(
    after: $after
    before: $before
    filter: $filter
    first: $first
    last: $last
  ) {
    edges {
      cursor
      node {
        ...StackSummary
        progress {
          done
          total
        }
        template {
          ...TemplateSummary
        }
        templateVersion {
          ...TemplateVersionSummary
        }
        cluster {
          ...ClusterSummary
        }
      }
    }
    pageInfo {
      endCursor
      hasNextPage
      hasPreviousPage
      startCursor
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}
fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}
fragment ClusterSummary on Cluster {
  id
  name
  kind
  endpoint
  publishAddress
  stopGracePeriodSeconds
  trusted
}`) as unknown as TypedDocumentString<StacksQuery, StacksQueryVariables>;
export const CancelStackActionDocument = new TypedDocumentString(`
    mutation CancelStackAction($input: StackIdInput!) {
  cancelStackAction(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CancelStackActionSuccess {
      stack {
        ...StackSummary
      }
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}`) as unknown as TypedDocumentString<CancelStackActionMutation, CancelStackActionMutationVariables>;
export const CloneStackDocument = new TypedDocumentString(`
    mutation CloneStack($input: CloneStackInput!) {
  cloneStack(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CloneStackSuccess {
      stack {
        ...StackSummary
      }
    }
    ... on QuotaExceeded {
      limit
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CloneStackMutation, CloneStackMutationVariables>;
export const CreateStackDocument = new TypedDocumentString(`
    mutation CreateStack($input: CreateStackInput!) {
  createStack(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateStackSuccess {
      stack {
        ...StackSummary
      }
    }
    ... on QuotaExceeded {
      limit
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateStackMutation, CreateStackMutationVariables>;
export const DeleteStackDocument = new TypedDocumentString(`
    mutation DeleteStack($input: DeleteStackInput!) {
  deleteStack(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on DeleteStackSuccess {
      stackId
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
    ... on StackBusy {
      action
      allowedActions
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteStackMutation, DeleteStackMutationVariables>;
export const ExecuteStackActionDocument = new TypedDocumentString(`
    mutation ExecuteStackAction($input: ExecuteStackActionInput!) {
  executeStackAction(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on ExecuteStackActionSuccess {
      stack {
        ...StackSummary
      }
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
    ... on StackBusy {
      action
      allowedActions
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}`) as unknown as TypedDocumentString<ExecuteStackActionMutation, ExecuteStackActionMutationVariables>;
export const ExportStackInputsDocument = new TypedDocumentString(`
    mutation ExportStackInputs($input: ExportStackInputsInput!) {
  exportStackInputs(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on ExportStackInputsSuccess {
      text
    }
  }
}
    `) as unknown as TypedDocumentString<ExportStackInputsMutation, ExportStackInputsMutationVariables>;
export const PreviewStackDocument = new TypedDocumentString(`
    mutation PreviewStack($input: CreateStackInput!) {
  previewStack(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on PreviewStackSuccess {
      plan {
        ...StackPlanFields
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}
fragment StackPlanFields on StackPlan {
  steps {
    element
    type
    change
    properties
    changedProperties
    dependsOn
  }
  problems {
    ...Problem
  }
  waves
}`) as unknown as TypedDocumentString<PreviewStackMutation, PreviewStackMutationVariables>;
export const PreviewStackUpdateDocument = new TypedDocumentString(`
    mutation PreviewStackUpdate($input: UpdateStackInput!) {
  previewStackUpdate(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
    ... on PreviewStackUpdateSuccess {
      plan {
        ...StackPlanFields
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}
fragment StackPlanFields on StackPlan {
  steps {
    element
    type
    change
    properties
    changedProperties
    dependsOn
  }
  problems {
    ...Problem
  }
  waves
}`) as unknown as TypedDocumentString<PreviewStackUpdateMutation, PreviewStackUpdateMutationVariables>;
export const UpdateStackDocument = new TypedDocumentString(`
    mutation UpdateStack($input: UpdateStackInput!) {
  updateStack(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
    ... on StackBusy {
      action
      allowedActions
    }
    ... on UpdateStackSuccess {
      stack {
        ...StackSummary
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<UpdateStackMutation, UpdateStackMutationVariables>;
export const StackEventsSinceDocument = new TypedDocumentString(`
    query StackEventsSince($id: ID!, $since: String, $first: Int, $after: String) {
  stack(id: $id) {
    id
    events(since: $since, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...StackEventFields
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
}
    fragment StackEventFields on StackEvent {
  cursor
  element
  id
  message
  stackId
  status
  time
  type
}`) as unknown as TypedDocumentString<StackEventsSinceQuery, StackEventsSinceQueryVariables>;
export const AuditRecordedDocument = new TypedDocumentString(`
    subscription AuditRecorded {
  auditRecorded {
    code
    id
    message
    request
    resourceId
    resourceName
    resourceType
    sourceIp
    tenant
    time
    traceName
    traceStatus
    user
  }
}
    `) as unknown as TypedDocumentString<AuditRecordedSubscription, AuditRecordedSubscriptionVariables>;
export const StackChangedDocument = new TypedDocumentString(`
    subscription StackChanged($stackId: ID!) {
  stackChanged(stackId: $stackId) {
    ...StackSummary
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}`) as unknown as TypedDocumentString<StackChangedSubscription, StackChangedSubscriptionVariables>;
export const StackEventsDocument = new TypedDocumentString(`
    subscription StackEvents($stackId: ID!) {
  stackEvents(stackId: $stackId) {
    ...StackEventFields
  }
}
    fragment StackEventFields on StackEvent {
  cursor
  element
  id
  message
  stackId
  status
  time
  type
}`) as unknown as TypedDocumentString<StackEventsSubscription, StackEventsSubscriptionVariables>;
export const StacksChangedDocument = new TypedDocumentString(`
    subscription StacksChanged {
  stacksChanged {
    ...StackSummary
    progress {
      done
      total
    }
  }
}
    fragment StackSummary on Stack {
  id
  name
  status
  statusReason
  action
  actionState
  allowedActions
  revision
  namespace
  updatedAt
  deletedAt
}`) as unknown as TypedDocumentString<StacksChangedSubscription, StacksChangedSubscriptionVariables>;
export const TemplateDocument = new TypedDocumentString(`
    query Template($id: ID, $name: String) {
  template(id: $id, name: $name) {
    createdAt
    description
    id
    name
    updatedAt
    latestVersion {
      ...TemplateVersionSummary
    }
    versions {
      ...TemplateVersionSummary
    }
  }
}
    fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}`) as unknown as TypedDocumentString<TemplateQuery, TemplateQueryVariables>;
export const TemplatesDocument = new TypedDocumentString(`
    query Templates($after: String, $before: String, $first: Int, $last: Int, $name: String) {
  templates(
    after: $after
    before: $before
    first: $first
    last: $last
    name: $name
  ) {
    edges {
      cursor
      node {
        ...TemplateSummary
        latestVersion {
          ...TemplateVersionSummary
        }
        versions {
          ...TemplateVersionSummary
        }
      }
    }
    pageInfo {
      endCursor
      hasNextPage
      hasPreviousPage
      startCursor
    }
  }
}
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}`) as unknown as TypedDocumentString<TemplatesQuery, TemplatesQueryVariables>;
export const ValidateTemplateDocument = new TypedDocumentString(`
    query ValidateTemplate($body: String!) {
  validateTemplate(body: $body) {
    elements
    outputs
    valid
    inputs {
      constraints
      default
      description
      immutable
      label
      name
      required
      secret
      type
    }
    problems {
      ...Problem
    }
  }
}
    fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<ValidateTemplateQuery, ValidateTemplateQueryVariables>;
export const CreateTemplateDocument = new TypedDocumentString(`
    mutation CreateTemplate($input: CreateTemplateInput!) {
  createTemplate(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateTemplateSuccess {
      template {
        ...TemplateSummary
        versions {
          ...TemplateVersionSummary
        }
      }
    }
    ... on QuotaExceeded {
      limit
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateTemplateMutation, CreateTemplateMutationVariables>;
export const CreateTemplateVersionDocument = new TypedDocumentString(`
    mutation CreateTemplateVersion($input: CreateTemplateVersionInput!) {
  createTemplateVersion(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on CreateTemplateVersionSuccess {
      template {
        ...TemplateSummary
        versions {
          ...TemplateVersionSummary
        }
      }
    }
    ... on ValidationError {
      problems {
        ...Problem
      }
    }
  }
}
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}
fragment Problem on TemplateProblem {
  code
  column
  hint
  line
  message
  path
}`) as unknown as TypedDocumentString<CreateTemplateVersionMutation, CreateTemplateVersionMutationVariables>;
export const DeleteTemplateDocument = new TypedDocumentString(`
    mutation DeleteTemplate($input: DeleteTemplateInput!) {
  deleteTemplate(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
    ... on DeleteTemplateSuccess {
      templateId
    }
    ... on InvalidStackState {
      allowedActions
      status
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteTemplateMutation, DeleteTemplateMutationVariables>;
export const TemplateVersionDetailDocument = new TypedDocumentString(`
    query TemplateVersionDetail($id: ID, $name: String) {
  template(id: $id, name: $name) {
    id
    name
    latestVersion {
      id
      version
      body
      inputs {
        constraints
        default
        description
        immutable
        label
        name
        required
        secret
        type
      }
    }
  }
}
    `) as unknown as TypedDocumentString<TemplateVersionDetailQuery, TemplateVersionDetailQueryVariables>;
export const TemplateVersionsDocument = new TypedDocumentString(`
    query TemplateVersions($id: ID, $name: String) {
  template(id: $id, name: $name) {
    ...TemplateSummary
    versions {
      ...TemplateVersionSummary
      body
      inputs {
        constraints
        default
        description
        immutable
        label
        name
        required
        secret
        type
      }
    }
  }
}
    fragment TemplateSummary on Template {
  id
  name
  description
  updatedAt
}
fragment TemplateVersionSummary on TemplateVersion {
  id
  version
  createdAt
}`) as unknown as TypedDocumentString<TemplateVersionsQuery, TemplateVersionsQueryVariables>;