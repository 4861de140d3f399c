import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackElementSchema, StackSchema } from '../../src/db/entities/index.js';
import { recordStackEvent } from '../../src/events/stack-events.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

// No worker polls this queue: a workflow started here stays RUNNING, so the stack stays PROCESSING.
const TASK_QUEUE = `aos-api-stacks-${randomBytes(4).toString('hex')}`;

/** Four random strings: `extra` and `first` in wave 1, then `second`, then `third`. */
const V1 = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  length: {type: integer, default: 16, constraints: [{in_range: [8, 64]}]}
  salt: {type: password, description: characters to draw from}
  region: {type: string, default: eu, immutable: true}
node_templates:
  first:
    type: CTC.Core.RandomString
    properties:
      length: {get_input: length}
      characters: {get_input: salt}
  second:
    type: CTC.Core.RandomString
    properties:
      length: 8
    requirements:
      - dependency: first
  third:
    type: CTC.Core.RandomString
    requirements:
      - dependency: second
  extra:
    type: CTC.Core.RandomString
outputs:
  token:
    value: {get_attribute: [first, value]}
    description: the first string
  where:
    value: {get_input: region}
`;
/** v1 with `extra` gone, `fourth` new and `third` hanging off `first` instead of `second`. */
const V2 = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  length: {type: integer, default: 16, constraints: [{in_range: [8, 64]}]}
  salt: {type: password, description: characters to draw from}
  region: {type: string, default: eu, immutable: true}
node_templates:
  first:
    type: CTC.Core.RandomString
    properties:
      length: {get_input: length}
      characters: {get_input: salt}
  second:
    type: CTC.Core.RandomString
    properties:
      length: 8
    requirements:
      - dependency: first
  third:
    type: CTC.Core.RandomString
    requirements:
      - dependency: first
  fourth:
    type: CTC.Core.RandomString
    properties:
      length: 12
`;

const STACK = `fragment S on Stack {
  id name description status statusReason action actionState allowedActions namespace autoRollback timeoutMinutes revision
  template { id name } templateVersion { version } cluster { id name }
  inputs { name value } outputs { name value description }
  elements { name type status statusReason health physicalId attributes }
  alarms { id } createdAt updatedAt
}`;
/** `... on Error` plus the details of the error types a result union has (spreading others is invalid). */
function errors(...types: ('ValidationError' | 'InvalidStackState' | 'QuotaExceeded')[]): string {
  const details = { ValidationError: 'problems { code path message hint }', InvalidStackState: 'status allowedActions', QuotaExceeded: 'limit' };
  return `... on Error { message code } ${types.map((type) => `... on ${type} { ${details[type]} }`).join(' ')}`;
}
const CREATE = `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { ...S } } ${errors('ValidationError', 'QuotaExceeded')} } } ${STACK}`;
const PREVIEW = `mutation($input: CreateStackInput!) { previewStack(input: $input) { __typename
  ... on PreviewStackSuccess { plan { steps { element type change properties changedProperties dependsOn } problems { code } waves } } ${errors('ValidationError')} } }`;
const PREVIEW_UPDATE = `mutation($input: UpdateStackInput!) { previewStackUpdate(input: $input) { __typename
  ... on PreviewStackUpdateSuccess { plan { steps { element type change properties changedProperties dependsOn } waves } } ${errors('ValidationError', 'InvalidStackState')} } }`;
const UPDATE = `mutation($input: UpdateStackInput!) { updateStack(input: $input) { __typename ... on UpdateStackSuccess { stack { ...S } } ${errors('ValidationError', 'InvalidStackState')} } } ${STACK}`;
const ACTION = `mutation($input: ExecuteStackActionInput!) { executeStackAction(input: $input) { __typename ... on ExecuteStackActionSuccess { stack { ...S } } ${errors('InvalidStackState')} } } ${STACK}`;
const CANCEL = `mutation($id: ID!) { cancelStackAction(input: { stackId: $id }) { __typename ... on CancelStackActionSuccess { stack { id status } } ${errors('InvalidStackState')} } }`;
const DELETE = `mutation($input: DeleteStackInput!) { deleteStack(input: $input) { __typename ... on DeleteStackSuccess { stackId } ${errors('InvalidStackState')} } }`;
const EXPORT = `mutation($input: ExportStackInputsInput!) { exportStackInputs(input: $input) { __typename ... on ExportStackInputsSuccess { text } ${errors()} } }`;
const GET = `query($id: ID, $name: String) { stack(id: $id, name: $name) { ...S } } ${STACK}`;
const EVENTS = `query($id: ID, $first: Int, $after: String, $since: String) { stack(id: $id) {
  events(first: $first, after: $after, since: $since) { edges { cursor node { id type status element message time cursor } } pageInfo { hasNextPage endCursor } } } }`;

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let templateId: string;
let templateName: string;
const startedStacks = new Set<string>();

async function gql(token: string, query: string, variables?: Record<string, unknown>) {
  const res = await t.gql(token, query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

async function newTemplate(token: string, body = V1): Promise<{ id: string; name: string }> {
  const name = uniqueName('rand');
  const res = await gql(token, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id name } } ... on Error { message } } }`, {
    input: { name, version: '1', body },
  });
  if (res.createTemplate.__typename !== 'CreateTemplateSuccess') throw new Error(JSON.stringify(res.createTemplate));
  return res.createTemplate.template;
}

async function createStack(token: string, input: Record<string, unknown>) {
  const result = (await gql(token, CREATE, { input: { name: uniqueName('stack'), templateId, inputs: { salt: 'abcdef' }, deploy: false, ...input } })).createStack;
  if (result.stack?.status === 'PROCESSING') startedStacks.add(result.stack.id);
  return result;
}

async function initialStack(token = a.operator, input: Record<string, unknown> = {}) {
  const created = await createStack(token, input);
  expect(created.__typename).toBe('CreateStackSuccess');
  return created.stack;
}

/** Moves a stack as a finished workflow would, straight in the database. */
async function setStatus(stackId: string, status: string, extra: Record<string, unknown> = {}) {
  await t.app.orm.em.fork().nativeUpdate(StackSchema, { id: stackId }, { status: status as 'NORMAL', action: null, actionState: null, actionRequestToken: null, ...extra });
}

function workflow(stackId: string) {
  return t.app.temporal.client.workflow.getHandle(`stack-${stackId}`);
}

beforeAll(async () => {
  t = await startTestApp({ taskQueue: TASK_QUEUE });
  a = await createTenantWithUsers(t, 'stk-a');
  b = await createTenantWithUsers(t, 'stk-b');
  ({ id: templateId, name: templateName } = await newTemplate(a.operator));
});

afterAll(async () => {
  // Workflows on a queue nobody polls would otherwise wait for their timeout.
  await Promise.all([...startedStacks].map((id) => workflow(id).terminate('test over').catch(() => undefined)));
  await t?.close();
});

describe('previewStack', () => {
  it('plans every element as ADD in install order, with waves, dependencies and the password masked', async () => {
    const res = await gql(a.operator, PREVIEW, { input: { name: uniqueName('pre'), templateName, inputs: { salt: 'abcdef', length: '20' } } });
    expect(res.previewStack.__typename).toBe('PreviewStackSuccess');
    const plan = res.previewStack.plan;
    expect(plan.waves).toEqual([['extra', 'first'], ['second'], ['third']]);
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s: { element: string; change: string }) => `${s.element}:${s.change}`)).toEqual(['extra:ADD', 'first:ADD', 'second:ADD', 'third:ADD']);
    const first = plan.steps[1];
    expect(first).toMatchObject({ type: 'CTC.Core.RandomString', properties: { length: 20, characters: '******' }, changedProperties: ['characters', 'length'], dependsOn: [] });
    expect(plan.steps[3].dependsOn).toEqual(['second']);
    expect(JSON.stringify(res)).not.toContain('abcdef');
  });

  it('returns a ValidationError for each kind of bad input, all at once', async () => {
    const preview = async (inputs: Record<string, unknown>) => (await gql(a.operator, PREVIEW, { input: { name: uniqueName('bad'), templateId, inputs } })).previewStack;
    const codes = (res: { problems: { code: string; path: string }[] }) => res.problems.map((p) => `${p.code}@${p.path}`).sort();
    const unknown = await preview({ salt: 'x', lenght: 9 });
    expect(unknown.__typename).toBe('ValidationError');
    expect(unknown.code).toBe('VALIDATION_FAILED');
    expect(codes(unknown)).toEqual(['UNKNOWN_INPUT@inputs.lenght']);
    expect(unknown.problems[0].hint).toMatch(/length/);
    expect(codes(await preview({}))).toEqual(['MISSING_INPUT@inputs.salt']);
    expect(codes(await preview({ salt: 'x', length: 'long' }))).toEqual(['TYPE_MISMATCH@inputs.length']);
    expect(codes(await preview({ salt: 'x', length: 4 }))).toEqual(['CONSTRAINT_FAILED@inputs.length']);
    expect(codes(await preview({ length: 'long', other: 1 }))).toEqual(['MISSING_INPUT@inputs.salt', 'TYPE_MISMATCH@inputs.length', 'UNKNOWN_INPUT@inputs.other']);
    const settings = (await gql(a.operator, PREVIEW, { input: { name: 'no spaces allowed', templateId, namespace: 'Not_A_Label', timeoutMinutes: 0, inputs: [] } })).previewStack;
    expect(codes(settings)).toEqual(['BAD_NAME@name', 'INVALID_VALUE@namespace', 'INVALID_VALUE@timeoutMinutes', 'MISSING_INPUT@inputs.salt', 'NOT_A_MAPPING@inputs']);
  });

  it('returns NotFound for an unknown template, version or cluster', async () => {
    const preview = async (input: Record<string, unknown>) => (await gql(a.operator, PREVIEW, { input: { name: uniqueName('nf'), inputs: { salt: 'x' }, ...input } })).previewStack;
    expect(await preview({ templateName: 'no-such-template' })).toMatchObject({ __typename: 'NotFound', code: 'NOT_FOUND' });
    expect(await preview({ templateId: 'not-a-uuid' })).toMatchObject({ __typename: 'NotFound' });
    expect(await preview({ templateId, templateVersion: '9' })).toMatchObject({ __typename: 'NotFound' });
    expect(await preview({ templateId, clusterName: 'no-such-cluster' })).toMatchObject({ __typename: 'NotFound' });
    expect(await preview({})).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'MISSING_VALUE', path: 'templateId' }] });
  });

  it('is open to every role, since it changes nothing', async () => {
    const res = await gql(a.viewer, PREVIEW, { input: { name: uniqueName('viewer'), templateId, inputs: { salt: 'x' } } });
    expect(res.previewStack.__typename).toBe('PreviewStackSuccess');
  });

  it('plans the quick-start template', async () => {
    const quick = await newTemplate(a.operator, quickstartTemplate());
    const res = await gql(a.operator, PREVIEW, { input: { name: uniqueName('quick'), templateId: quick.id } });
    expect(res.previewStack.plan.steps.map((s: { element: string }) => s.element)).toEqual(['nginx-container', 'nginx-app']);
    expect(res.previewStack.plan.steps[1].dependsOn).toEqual(['nginx-container']);
  });
});

describe('createStack', () => {
  it('with deploy: false stores an INITIAL stack, PENDING elements in install order, inputs with defaults and a STACK_CREATED event', async () => {
    const name = uniqueName('initial');
    const created = await createStack(a.operator, { name, description: 'kept', inputs: { salt: 'abcdef', length: 20 } });
    expect(created.__typename).toBe('CreateStackSuccess');
    const stack = created.stack;
    expect(stack).toMatchObject({
      name,
      description: 'kept',
      status: 'INITIAL',
      action: null,
      actionState: null,
      namespace: 'default',
      autoRollback: true,
      timeoutMinutes: 60,
      revision: 0,
      template: { id: templateId, name: templateName },
      templateVersion: { version: '1' },
      cluster: null,
      alarms: [],
    });
    expect(stack.allowedActions).toEqual(['INSTALL', 'DELETE', 'FORCE_DELETE']);
    expect(stack.inputs).toEqual([
      { name: 'length', value: 20 },
      { name: 'salt', value: '******' },
      { name: 'region', value: 'eu' },
    ]);
    expect(stack.outputs).toEqual([
      { name: 'token', value: null, description: 'the first string' },
      { name: 'where', value: null, description: null },
    ]);
    expect(stack.elements.map((e: { name: string; status: string; health: string; type: string }) => `${e.name}:${e.status}:${e.health}`)).toEqual([
      'extra:PENDING:UNKNOWN',
      'first:PENDING:UNKNOWN',
      'second:PENDING:UNKNOWN',
      'third:PENDING:UNKNOWN',
    ]);
    const events = await gql(a.viewer, EVENTS, { id: stack.id });
    expect(events.stack.events.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(['STACK_CREATED']);
    expect(events.stack.events.edges[0].node.status).toBe('INITIAL');
    // The password is sealed at rest and appears nowhere in what the API returns.
    const row = await t.app.orm.em.fork().findOneOrFail(StackSchema, { id: stack.id });
    expect(String(row.inputs.salt)).toMatch(/^enc:v1:/);
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(row.inputs.salt as string)).toBe('abcdef');
    expect(JSON.stringify(created)).not.toContain('abcdef');
    const byName = await gql(a.viewer, GET, { name });
    expect(byName.stack.id).toBe(stack.id);
  });

  it('with deploy (the default) starts the install workflow: PROCESSING / INSTALL / IN_PROGRESS', async () => {
    const created = await createStack(a.operator, { deploy: true });
    expect(created.__typename).toBe('CreateStackSuccess');
    expect(created.stack).toMatchObject({ status: 'PROCESSING', action: 'INSTALL', actionState: 'IN_PROGRESS' });
    expect(created.stack.allowedActions).toEqual(['FORCE_DELETE', 'CANCEL']);
    const described = await workflow(created.stack.id).describe();
    expect(described.type).toBe('installStackWorkflow');
    expect(described.status.name).toBe('RUNNING');
    expect(described.taskQueue).toBe(TASK_QUEUE);
  });

  it('refuses a second action while one runs with StackBusy', async () => {
    const created = await createStack(a.operator, { deploy: true });
    const id = created.stack.id;
    const stop = await gql(a.operator, ACTION, { input: { stackId: id, action: 'STOP' } });
    expect(stop.executeStackAction).toMatchObject({ __typename: 'StackBusy', code: 'STACK_BUSY' });
    // What runs and what may be asked now, so a client can say what to do next.
    const busy = await gql(a.operator, `mutation($input: DeleteStackInput!) { deleteStack(input: $input) { __typename ... on StackBusy { message action allowedActions } } }`, { input: { stackId: id } });
    expect(busy.deleteStack).toEqual({ __typename: 'StackBusy', message: expect.stringContaining('busy with INSTALL'), action: 'INSTALL', allowedActions: ['FORCE_DELETE', 'CANCEL'] });
    const install = await gql(a.operator, ACTION, { input: { stackId: id, action: 'INSTALL' } });
    expect(install.executeStackAction.__typename).toBe('StackBusy');
    const del = await gql(a.operator, DELETE, { input: { stackId: id } });
    expect(del.deleteStack.__typename).toBe('StackBusy');
    const update = await gql(a.operator, UPDATE, { input: { stackId: id, inputs: { length: 30 } } });
    expect(update.updateStack.__typename).toBe('StackBusy');
  });

  it('applies the settings given, and refuses a duplicate name with NameTaken', async () => {
    const name = uniqueName('settings');
    const created = await createStack(a.operator, { name, namespace: 'team-a', timeoutMinutes: 1440, autoRollback: false });
    expect(created.stack).toMatchObject({ namespace: 'team-a', timeoutMinutes: 1440, autoRollback: false });
    expect(await createStack(a.operator, { name })).toMatchObject({ __typename: 'NameTaken', code: 'NAME_TAKEN' });
    expect((await createStack(b.operator, { name, templateId: (await newTemplate(b.operator)).id })).__typename).toBe('CreateStackSuccess');
    expect(await createStack(a.operator, { timeoutMinutes: 1441 })).toMatchObject({ __typename: 'ValidationError', problems: [{ path: 'timeoutMinutes' }] });
  });

  it('refuses changes from a VIEWER with Forbidden', async () => {
    expect(await createStack(a.viewer, {})).toMatchObject({ __typename: 'Forbidden', code: 'FORBIDDEN' });
  });

  it('creates one stack and one workflow for ten concurrent calls with the same clientRequestToken', async () => {
    const name = uniqueName('token');
    const clientRequestToken = `create-${randomBytes(8).toString('hex')}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => createStack(a.operator, { name, clientRequestToken, deploy: true })));
    expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('CreateStackSuccess'));
    const ids = new Set(results.map((r) => r.stack.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    startedStacks.add(id);
    const list = await gql(a.viewer, `query($name: String) { stacks(first: 100, filter: { name: $name }) { edges { node { id status action } } } }`, { name });
    expect(list.stacks.edges).toEqual([{ node: { id, status: 'PROCESSING', action: 'INSTALL' } }]);
    const described = await workflow(id).describe();
    expect(described.type).toBe('installStackWorkflow');
    expect(described.raw.workflowExecutionInfo?.firstRunId || described.runId).toBe(described.runId);
    // Later repeats still answer with the same stack; the token cannot name another stack.
    expect((await createStack(a.operator, { name, clientRequestToken })).stack.id).toBe(id);
    expect(await createStack(a.operator, { name: uniqueName('other'), clientRequestToken })).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'TOKEN_REUSED' }] });
  });

  it('counts stacks against the quota and refuses past it with QuotaExceeded', async () => {
    const tenant = await createTenantWithUsers(t, 'stk-quota');
    const own = await newTemplate(tenant.operator);
    await gql(t.adminToken, `mutation($id: ID!) { setQuota(input: { tenantId: $id, stacks: 2 }) { __typename } }`, { id: tenant.id });
    const make = () => createStack(tenant.operator, { templateId: own.id });
    expect((await make()).__typename).toBe('CreateStackSuccess');
    expect((await make()).__typename).toBe('CreateStackSuccess');
    expect(await make()).toMatchObject({ __typename: 'QuotaExceeded', code: 'QUOTA_EXCEEDED', limit: 2 });
    const quota = await gql(tenant.viewer, `{ quota { stacks stacksUsed } }`);
    expect(quota.quota).toEqual({ stacks: 2, stacksUsed: 2 });
  });
});

describe('executeStackAction, cancel and delete', () => {
  it('refuses START on an INITIAL stack with InvalidStackState, its status and the allowed actions', async () => {
    const stack = await initialStack();
    const res = await gql(a.operator, ACTION, { input: { stackId: stack.id, action: 'START' } });
    expect(res.executeStackAction).toMatchObject({ __typename: 'InvalidStackState', code: 'INVALID_STACK_STATE', status: 'INITIAL', allowedActions: ['INSTALL', 'DELETE', 'FORCE_DELETE'] });
    for (const action of ['STOP', 'RETRY', 'ROLLBACK']) {
      expect((await gql(a.operator, ACTION, { input: { stackId: stack.id, action } })).executeStackAction.__typename).toBe('InvalidStackState');
    }
  });

  it('starts one workflow for ten concurrent INSTALLs with one clientRequestToken, and all of them succeed', async () => {
    const stack = await initialStack();
    startedStacks.add(stack.id);
    const clientRequestToken = `install-${randomBytes(8).toString('hex')}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => gql(a.operator, ACTION, { input: { stackId: stack.id, action: 'INSTALL', clientRequestToken } })));
    expect(results.map((r) => r.executeStackAction.__typename)).toEqual(Array(10).fill('ExecuteStackActionSuccess'));
    for (const r of results) expect(r.executeStackAction.stack).toMatchObject({ id: stack.id, status: 'PROCESSING', action: 'INSTALL' });
    const handle = workflow(stack.id);
    const described = await handle.describe();
    expect(described.type).toBe('installStackWorkflow');
    const firstRunId = described.raw.workflowExecutionInfo?.firstRunId;
    if (firstRunId) expect(firstRunId).toBe(described.runId);
    const history = await handle.fetchHistory();
    const started = history.events?.filter((event) => event.workflowExecutionStartedEventAttributes) ?? [];
    expect(started).toHaveLength(1);
    expect(started[0].workflowExecutionStartedEventAttributes?.firstExecutionRunId).toBe(described.runId);
    // Without the token, a repeat is a second action: StackBusy.
    expect((await gql(a.operator, ACTION, { input: { stackId: stack.id, action: 'INSTALL' } })).executeStackAction.__typename).toBe('StackBusy');
  });

  it('cancels a running action; refuses to cancel when nothing runs', async () => {
    const idle = await initialStack();
    expect((await gql(a.operator, CANCEL, { id: idle.id })).cancelStackAction).toMatchObject({ __typename: 'InvalidStackState', status: 'INITIAL' });
    const busy = (await createStack(a.operator, { deploy: true })).stack;
    const cancelled = await gql(a.operator, CANCEL, { id: busy.id });
    expect(cancelled.cancelStackAction).toEqual({ __typename: 'CancelStackActionSuccess', stack: { id: busy.id, status: 'PROCESSING' } });
    const events = await gql(a.viewer, EVENTS, { id: busy.id, first: 1 });
    expect(events.stack.events.edges[0].node.type).toBe('ACTION_CANCEL_REQUESTED');
    expect((await gql(a.viewer, CANCEL, { id: busy.id })).cancelStackAction.__typename).toBe('Forbidden');
  });

  it('deletes an INITIAL stack by starting the delete workflow, and answers at once', async () => {
    const stack = await initialStack();
    const res = await gql(a.operator, DELETE, { input: { stackId: stack.id } });
    startedStacks.add(stack.id);
    expect(res.deleteStack).toEqual({ __typename: 'DeleteStackSuccess', stackId: stack.id });
    const described = await workflow(stack.id).describe();
    expect(described.type).toBe('deleteStackWorkflow');
    const now = await gql(a.viewer, GET, { id: stack.id });
    expect(now.stack).toMatchObject({ status: 'PROCESSING', action: 'DELETE', actionState: 'IN_PROGRESS' });
  });

  it('force-deletes a busy stack, replacing the running workflow', async () => {
    const busy = (await createStack(a.operator, { deploy: true })).stack;
    const before = await workflow(busy.id).describe();
    const res = await gql(a.operator, DELETE, { input: { stackId: busy.id, force: true } });
    expect(res.deleteStack.__typename).toBe('DeleteStackSuccess');
    const after = await workflow(busy.id).describe();
    expect(after.type).toBe('deleteStackWorkflow');
    expect(after.runId).not.toBe(before.runId);
  });

  it('refuses to delete a template while a stack uses it', async () => {
    const own = await newTemplate(a.operator);
    await initialStack(a.operator, { templateId: own.id });
    const res = await gql(a.operator, `mutation($id: ID!) { deleteTemplate(input: { templateId: $id }) { __typename ${errors('InvalidStackState')} } }`, { id: own.id });
    expect(res.deleteTemplate).toMatchObject({ __typename: 'InvalidStackState', status: 'INITIAL', allowedActions: [] });
    expect(res.deleteTemplate.message).toMatch(/is used by stack/);
  });
});

describe('updates', () => {
  let stackId: string;
  let v2: string;

  beforeAll(async () => {
    const own = await newTemplate(a.operator);
    const added = await gql(a.operator, `mutation($input: CreateTemplateVersionInput!) { createTemplateVersion(input: $input) { __typename } }`, {
      input: { templateId: own.id, version: '2', body: V2 },
    });
    expect(added.createTemplateVersion.__typename).toBe('CreateTemplateVersionSuccess');
    v2 = '2';
    stackId = (await initialStack(a.operator, { templateId: own.id, templateVersion: '1', inputs: { salt: 'abcdef', length: 20 } })).id;
  });

  it('refuses updateStack and previewStackUpdate on an INITIAL stack with InvalidStackState', async () => {
    const update = await gql(a.operator, UPDATE, { input: { stackId, inputs: { length: 24 } } });
    expect(update.updateStack).toMatchObject({ __typename: 'InvalidStackState', status: 'INITIAL', allowedActions: ['INSTALL', 'DELETE', 'FORCE_DELETE'] });
    const preview = await gql(a.operator, PREVIEW_UPDATE, { input: { stackId, inputs: { length: 24 } } });
    expect(preview.previewStackUpdate).toMatchObject({ __typename: 'InvalidStackState', status: 'INITIAL' });
  });

  it('previews every kind of change from a NORMAL stack', async () => {
    await setStatus(stackId, 'NORMAL');
    const res = await gql(a.operator, PREVIEW_UPDATE, { input: { stackId, templateVersion: v2, inputs: { length: 24 } } });
    expect(res.previewStackUpdate.__typename).toBe('PreviewStackUpdateSuccess');
    const steps = res.previewStackUpdate.plan.steps;
    expect(steps.map((s: { element: string; change: string }) => `${s.element}:${s.change}`)).toEqual(['first:REPLACE', 'fourth:ADD', 'second:NO_CHANGE', 'third:MODIFY', 'extra:DELETE']);
    const byName = Object.fromEntries(steps.map((s: { element: string }) => [s.element, s]));
    expect(byName.first).toMatchObject({ changedProperties: ['length'], properties: { length: 24, characters: '******' } });
    expect(byName.third).toMatchObject({ changedProperties: ['requirements.dependency'], dependsOn: ['first'] });
    expect(byName.extra.properties).toEqual({ length: 32, characters: 'alphanumeric' });
    expect(res.previewStackUpdate.plan.waves).toEqual([['first', 'fourth'], ['second', 'third']]);
    const same = await gql(a.operator, PREVIEW_UPDATE, { input: { stackId } });
    expect(same.previewStackUpdate.plan.steps.every((s: { change: string }) => s.change === 'NO_CHANGE')).toBe(true);
    expect(JSON.stringify(res)).not.toContain('abcdef');
  });

  it('refuses a change of an immutable input, bad inputs and an unknown version', async () => {
    await setStatus(stackId, 'NORMAL');
    const immutable = await gql(a.operator, PREVIEW_UPDATE, { input: { stackId, inputs: { region: 'us' } } });
    expect(immutable.previewStackUpdate).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'IMMUTABLE_INPUT', path: 'inputs.region' }] });
    const viaUpdate = await gql(a.operator, UPDATE, { input: { stackId, inputs: { region: 'us' } } });
    expect(viaUpdate.updateStack).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'IMMUTABLE_INPUT' }] });
    const bad = await gql(a.operator, UPDATE, { input: { stackId, inputs: { length: 2 } } });
    expect(bad.updateStack).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'CONSTRAINT_FAILED' }] });
    const version = await gql(a.operator, UPDATE, { input: { stackId, templateVersion: '7' } });
    expect(version.updateStack.__typename).toBe('NotFound');
    expect((await gql(a.operator, GET, { id: stackId })).stack.status).toBe('NORMAL');
  });

  it('starts the update from NORMAL with the pending version and inputs, the password kept sealed', async () => {
    await setStatus(stackId, 'NORMAL');
    // "******" for a password input keeps its value (an exported file can be sent back as is).
    const res = await gql(a.operator, UPDATE, { input: { stackId, templateVersion: v2, inputs: { length: 24, salt: '******' } } });
    startedStacks.add(stackId);
    expect(res.updateStack.__typename).toBe('UpdateStackSuccess');
    expect(res.updateStack.stack).toMatchObject({ status: 'PROCESSING', action: 'UPDATE', actionState: 'IN_PROGRESS' });
    expect((await workflow(stackId).describe()).type).toBe('updateStackWorkflow');
    const row = await t.app.orm.em.fork().findOneOrFail(StackSchema, { id: stackId });
    const pending = row.pendingUpdate!;
    expect(pending.inputs).toMatchObject({ length: 24, region: 'eu' });
    expect(String(pending.inputs.salt)).toMatch(/^enc:v1:/);
    expect(new SecretBox(process.env.AOS_SECRET_KEY!).open(pending.inputs.salt as string)).toBe('abcdef');
    // The stack keeps showing what it runs until the workflow applies the update.
    expect(res.updateStack.stack.templateVersion.version).toBe('1');
  });
});

describe('reading stacks', () => {
  it('exports the inputs as YAML and JSON with the password masked', async () => {
    const stack = await initialStack(a.operator, { inputs: { salt: 'abcdef', length: 12 } });
    const yaml = await gql(a.operator, EXPORT, { input: { stackId: stack.id, format: 'YAML' } });
    expect(yaml.exportStackInputs.text).toBe("length: 12\nsalt: '******'\nregion: eu\n");
    const json = await gql(a.viewer, EXPORT, { input: { stackId: stack.id, format: 'JSON' } });
    expect(JSON.parse(json.exportStackInputs.text)).toEqual({ length: 12, salt: '******', region: 'eu' });
  });

  it('masks secret attributes and secret outputs written by a workflow', async () => {
    const stack = await initialStack();
    const box = new SecretBox(process.env.AOS_SECRET_KEY!);
    const em = t.app.orm.em.fork();
    await em.nativeUpdate(StackElementSchema, { stack: stack.id, name: 'first' }, { status: 'CREATE_COMPLETE', health: 'HEALTHY', physicalId: 'rnd-1', attributes: { value: box.seal('s3cret-value') } });
    await em.nativeUpdate(StackElementSchema, { stack: stack.id, name: 'second' }, { attributes: { value: 'plain-but-declared-secret' } });
    await em.nativeUpdate(StackSchema, { id: stack.id }, { outputs: { token: { value: box.seal('s3cret-value'), secret: true, description: 'the first string' }, where: { value: 'eu' } } });
    const res = await gql(a.viewer, GET, { id: stack.id });
    const first = res.stack.elements.find((e: { name: string }) => e.name === 'first');
    expect(first).toMatchObject({ status: 'CREATE_COMPLETE', health: 'HEALTHY', physicalId: 'rnd-1', attributes: { value: '******' } });
    expect(res.stack.elements.find((e: { name: string }) => e.name === 'second').attributes).toEqual({ value: '******' });
    expect(res.stack.outputs).toEqual([
      { name: 'token', value: '******', description: 'the first string' },
      { name: 'where', value: 'eu', description: null },
    ]);
    expect(JSON.stringify(res)).not.toMatch(/s3cret|plain-but|enc:v1/);
  });

  it('lists the tenant’s stacks newest first, filtered by status, name and template', async () => {
    const tenant = await createTenantWithUsers(t, 'stk-list');
    const t1 = await newTemplate(tenant.operator);
    const t2 = await newTemplate(tenant.operator);
    const names = ['alpha', 'beta', 'gamma'].map((n) => uniqueName(n));
    const ids: string[] = [];
    for (const [i, name] of names.entries()) ids.push((await createStack(tenant.operator, { name, templateId: i === 2 ? t2.id : t1.id })).stack.id);
    await setStatus(ids[1], 'NORMAL');
    const list = async (filter: Record<string, unknown> = {}, first = 10, after?: string) =>
      (await gql(tenant.viewer, `query($filter: StackFilter, $first: Int, $after: String) { stacks(first: $first, after: $after, filter: $filter) { edges { node { name status } } pageInfo { hasNextPage endCursor } } }`, { filter, first, after })).stacks;
    const names_ = (conn: { edges: { node: { name: string } }[] }) => conn.edges.map((e) => e.node.name);
    expect(names_(await list())).toEqual([names[2], names[1], names[0]]);
    const page1 = await list({}, 2);
    expect(names_(page1)).toEqual([names[2], names[1]]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await list({}, 2, page1.pageInfo.endCursor);
    expect(names_(page2)).toEqual([names[0]]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(names_(await list({ status: 'NORMAL' }))).toEqual([names[1]]);
    expect(names_(await list({ status: 'INITIAL' }))).toEqual([names[2], names[0]]);
    expect(names_(await list({ name: names[0].slice(0, 8) }))).toEqual([names[0]]);
    expect(names_(await list({ templateId: t2.id }))).toEqual([names[2]]);
    expect(names_(await list({ templateId: t1.id, status: 'INITIAL' }))).toEqual([names[0]]);
    expect(names_(await list({ templateId: 'not-a-uuid' }))).toEqual([]);
  });

  it('pages events newest first by sequence, and `since` returns only newer ones', async () => {
    const stack = await initialStack();
    const em = t.app.orm.em.fork();
    for (let i = 1; i <= 5; i++) await recordStackEvent(em, { tenantId: a.id, stackId: stack.id, type: 'TEST_EVENT', status: String(i), message: `event ${i}` });
    const page = async (variables: Record<string, unknown>) => (await gql(a.viewer, EVENTS, { id: stack.id, ...variables })).stack.events;
    const statuses = (conn: { edges: { node: { status: string } }[] }) => conn.edges.map((e) => e.node.status);
    const first = await page({ first: 2 });
    expect(statuses(first)).toEqual(['5', '4']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[0].cursor).toBe(first.edges[0].node.cursor);
    const rest = await page({ first: 10, after: first.pageInfo.endCursor });
    expect(statuses(rest)).toEqual(['3', '2', '1', 'INITIAL']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    // A client that saw event 3 reconnects: it gets 4 and 5, nothing else.
    const seen = rest.edges[0].cursor;
    expect(statuses(await page({ since: seen }))).toEqual(['5', '4']);
    expect(statuses(await page({ since: seen, first: 1 }))).toEqual(['5']);
    const tail = await page({ since: seen, first: 1 });
    expect(statuses(await page({ since: seen, after: tail.pageInfo.endCursor }))).toEqual(['4']);
    await recordStackEvent(em, { tenantId: a.id, stackId: stack.id, type: 'TEST_EVENT', status: '6', message: 'event 6' });
    expect(statuses(await page({ since: first.edges[0].cursor }))).toEqual(['6']);
    const bad = await t.gql(a.viewer, EVENTS, { id: stack.id, since: 'garbage' });
    expect(bad.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
  });
});

describe('tenant isolation', () => {
  it("makes another tenant's stack not exist, for reads and every change", async () => {
    const stack = await initialStack();
    expect((await gql(b.operator, GET, { id: stack.id })).stack).toBeNull();
    expect((await gql(b.operator, GET, { name: stack.name })).stack).toBeNull();
    const list = await gql(b.operator, `{ stacks(first: 100) { edges { node { id } } } }`);
    expect(list.stacks.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(stack.id);
    const input = { stackId: stack.id };
    expect((await gql(b.operator, ACTION, { input: { ...input, action: 'INSTALL' } })).executeStackAction.__typename).toBe('NotFound');
    expect((await gql(b.operator, DELETE, { input: { ...input, force: true } })).deleteStack.__typename).toBe('NotFound');
    expect((await gql(b.operator, CANCEL, { id: stack.id })).cancelStackAction.__typename).toBe('NotFound');
    expect((await gql(b.operator, UPDATE, { input })).updateStack.__typename).toBe('NotFound');
    expect((await gql(b.operator, PREVIEW_UPDATE, { input })).previewStackUpdate.__typename).toBe('NotFound');
    expect((await gql(b.operator, EXPORT, { input: { ...input, format: 'JSON' } })).exportStackInputs.__typename).toBe('NotFound');
    expect((await createStack(b.operator, { templateId })).__typename).toBe('NotFound');
    expect((await gql(a.viewer, GET, { id: stack.id })).stack.status).toBe('INITIAL');
  });

  it('treats a malformed id as not found', async () => {
    expect((await gql(a.operator, GET, { id: 'nope' })).stack).toBeNull();
    expect((await gql(a.operator, ACTION, { input: { stackId: 'nope', action: 'START' } })).executeStackAction.__typename).toBe('NotFound');
  });
});

describe('audit', () => {
  it('records every stack mutation under its trace name, passwords masked', async () => {
    const tenant = await createTenantWithUsers(t, 'stk-audit');
    const own = await newTemplate(tenant.operator);
    const name = uniqueName('audited');
    await gql(tenant.operator, PREVIEW, { input: { name, templateId: own.id, inputs: { salt: 'hunter22' } } });
    const stack = (await createStack(tenant.operator, { name, templateId: own.id, inputs: { salt: 'hunter22' } })).stack;
    await gql(tenant.operator, PREVIEW_UPDATE, { input: { stackId: stack.id, inputs: { salt: 'hunter23' } } });
    await gql(tenant.operator, UPDATE, { input: { stackId: stack.id, inputs: { salt: 'hunter23' } } });
    await gql(tenant.operator, ACTION, { input: { stackId: stack.id, action: 'START' } });
    await gql(tenant.operator, CANCEL, { id: stack.id });
    await gql(tenant.operator, EXPORT, { input: { stackId: stack.id, format: 'YAML' } });
    await gql(tenant.operator, DELETE, { input: { stackId: stack.id } });
    startedStacks.add(stack.id);
    const res = await gql(tenant.viewer, `{ auditRecords(first: 50, filter: { resourceType: "stack" }) { edges { node { traceName code resourceId resourceName request message } } } }`);
    const records = res.auditRecords.edges.map((e: { node: Record<string, unknown> }) => e.node).reverse();
    expect(records.map((r: { traceName: string; code: number }) => `${r.traceName}:${r.code}`)).toEqual([
      'PreviewStack:200',
      'CreateStack:200',
      'PreviewStack:409',
      'UpdateStack:409',
      'ExecuteStackAction:409',
      'ExecuteStackAction:409',
      'ExportStackInputs:200',
      'DeleteStack:200',
    ]);
    expect(records[1]).toMatchObject({ resourceId: stack.id, resourceName: name });
    expect(records[7]).toMatchObject({ resourceId: stack.id, resourceName: name });
    expect(JSON.stringify(records)).not.toMatch(/hunter2/);
    expect(records[1].request.inputs).toEqual({ salt: '******' });
  });
});
