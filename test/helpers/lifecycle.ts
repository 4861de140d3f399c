import { randomBytes } from 'node:crypto';
import type { AosConfig } from '../../src/config.js';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from './app.js';
import { closeFaultDb, ensureFaultTables, faultDriver, FAULT_TYPE, registerFaultType } from './fault-type.js';
import { startTestWorker, type TestWorker } from './temporal.js';

export const STACK_FIELDS = `id name status action actionState revision autoRollback timeoutMinutes statusReason
  elements { name type status health physicalId attributes }
  outputs { name value }
  inputs { name value }`;

export interface StackView {
  id: string;
  name: string;
  status: string;
  action: string | null;
  actionState: string | null;
  revision: number;
  statusReason: string | null;
  elements: { name: string; type: string; status: string; health: string; physicalId: string | null; attributes: Record<string, unknown> | null }[];
  outputs: { name: string; value: unknown }[];
  inputs: { name: string; value: unknown }[];
}

export interface EventView {
  type: string;
  element: string | null;
  status: string | null;
  message: string;
}

export interface FaultNode {
  type?: string;
  properties?: Record<string, unknown>;
  dependsOn?: string[];
}

/** A template of fault-injection (and other) nodes, as JSON text (the language takes YAML or JSON). */
export function faultTemplate(nodes: Record<string, FaultNode>, extra: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } = {}): string {
  const nodeTemplates = Object.fromEntries(
    Object.entries(nodes).map(([name, node]) => [
      name,
      {
        type: node.type ?? FAULT_TYPE,
        ...(node.properties ? { properties: node.properties } : {}),
        ...(node.dependsOn?.length ? { requirements: node.dependsOn.map((dep) => ({ dependency: { node: dep } })) } : {}),
      },
    ]),
  );
  return JSON.stringify({ tosca_definitions_version: 'ctc_tosca_version_1_0', ...(extra.inputs ? { inputs: extra.inputs } : {}), node_templates: nodeTemplates, ...(extra.outputs ? { outputs: extra.outputs } : {}) }, null, 2);
}

export interface Lifecycle {
  t: TestApp;
  w: TestWorker;
  tenant: TestTenant;
  taskQueue: string;
  createTemplate(body: string, name?: string): Promise<string>;
  addVersion(templateId: string, version: string, body: string): Promise<void>;
  createStack(input: Record<string, unknown>): Promise<any>;
  stack(id: string): Promise<StackView | null>;
  waitFor(id: string, done?: (s: StackView) => boolean, timeoutMs?: number): Promise<StackView>;
  waitGone(id: string, timeoutMs?: number): Promise<void>;
  events(id: string): Promise<EventView[]>;
  execute(id: string, action: string, clientRequestToken?: string): Promise<any>;
  update(id: string, input: Record<string, unknown>): Promise<any>;
  remove(id: string, force?: boolean): Promise<any>;
  cancel(id: string): Promise<any>;
  close(): Promise<void>;
}

const BASE = `__typename ... on Error { message code }`;
const INVALID = `... on ValidationError { problems { code path message } }`;
const STATE = `... on InvalidStackState { status allowedActions }`;

/** The real API and a real worker on one task queue of their own, with the fault type registered in both. */
export async function startLifecycle(
  prefix: string,
  options: { timeoutUnitMs?: number; monitorIntervalMs?: number; appConfig?: Partial<AosConfig>; workerConfig?: Partial<AosConfig> } = {},
): Promise<Lifecycle> {
  registerFaultType();
  await ensureFaultTables();
  const taskQueue = `aos-test-${randomBytes(4).toString('hex')}`;
  const w = await startTestWorker({ config: { ...options.workerConfig, taskQueue }, extraDrivers: [faultDriver], timeoutUnitMs: options.timeoutUnitMs ?? 1000, monitorIntervalMs: options.monitorIntervalMs });
  const t = await startTestApp({ ...options.appConfig, taskQueue });
  const tenant = await createTenantWithUsers(t, prefix);
  const token = tenant.operator;

  const stack = async (id: string): Promise<StackView | null> => {
    const res = await t.gql(token, `query($id: ID) { stack(id: $id) { ${STACK_FIELDS} } }`, { id });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.stack as StackView | null;
  };

  const l: Lifecycle = {
    t,
    w,
    tenant,
    taskQueue,
    async createTemplate(body, name = `tpl-${randomBytes(4).toString('hex')}`) {
      const res = await t.gql(token, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ${BASE} ${INVALID} ... on CreateTemplateSuccess { template { id } } } }`, {
        input: { name, version: '1', body },
      });
      const id = res.data?.createTemplate?.template?.id;
      if (!id) throw new Error(`createTemplate failed: ${JSON.stringify(res)}`);
      return id;
    },
    async addVersion(templateId, version, body) {
      const res = await t.gql(token, `mutation($input: CreateTemplateVersionInput!) { createTemplateVersion(input: $input) { ${BASE} ${INVALID} } }`, { input: { templateId, version, body } });
      if (res.data?.createTemplateVersion?.__typename !== 'CreateTemplateVersionSuccess') throw new Error(`createTemplateVersion failed: ${JSON.stringify(res)}`);
    },
    async createStack(input) {
      const res = await t.gql(token, `mutation($input: CreateStackInput!) { createStack(input: $input) { ${BASE} ${INVALID} ... on CreateStackSuccess { stack { ${STACK_FIELDS} } } } }`, {
        input: { name: `stack-${randomBytes(4).toString('hex')}`, ...input },
      });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.createStack;
    },
    stack,
    async waitFor(id, done = (s) => s.status !== 'PROCESSING', timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await stack(id);
        if (!s) throw new Error(`stack ${id} is gone`);
        if (done(s)) return s;
        if (Date.now() > deadline) throw new Error(`stack ${id} still ${s.status}/${s.action}/${s.actionState} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    async waitGone(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      // A finished delete leaves the record DELETED (readable until purged); null if it was purged already.
      for (;;) {
        const current = await stack(id);
        if (current === null || current.status === 'DELETED') break;
        if (Date.now() > deadline) throw new Error(`stack ${id} still there after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    async events(id) {
      const res = await t.gql(token, `query($id: ID) { stack(id: $id) { events(first: 100) { edges { node { type element status message } } } } }`, { id });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      // Newest first on the wire; oldest first is easier to read in assertions.
      return (res.data!.stack?.events.edges ?? []).map((e: { node: EventView }) => e.node).reverse();
    },
    async execute(id, action, clientRequestToken) {
      const res = await t.gql(token, `mutation($input: ExecuteStackActionInput!) { executeStackAction(input: $input) { ${BASE} ${STATE} ... on ExecuteStackActionSuccess { stack { id status action } } } }`, {
        input: { stackId: id, action, ...(clientRequestToken ? { clientRequestToken } : {}) },
      });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.executeStackAction;
    },
    async update(id, input) {
      const res = await t.gql(token, `mutation($input: UpdateStackInput!) { updateStack(input: $input) { ${BASE} ${INVALID} ${STATE} ... on UpdateStackSuccess { stack { id status action } } } }`, { input: { stackId: id, ...input } });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.updateStack;
    },
    async remove(id, force = false) {
      const res = await t.gql(token, `mutation($input: DeleteStackInput!) { deleteStack(input: $input) { ${BASE} ${STATE} ... on DeleteStackSuccess { stackId } } }`, { input: { stackId: id, force } });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.deleteStack;
    },
    async cancel(id) {
      const res = await t.gql(token, `mutation($input: StackIdInput!) { cancelStackAction(input: $input) { ${BASE} ${STATE} ... on CancelStackActionSuccess { stack { id status } } } }`, { input: { stackId: id } });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.cancelStackAction;
    },
    async close() {
      await t.close();
      await w.stop();
      await closeFaultDb();
    },
  };
  return l;
}
