// cloneStack and `aos stack clone`: a copy of a running stack in another namespace and on another
// Docker engine (a second private dockerd started by the test), its password input copied by the
// server (checked inside the copy's container), never shown; the mask "******" refused as a
// password value.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { createTenantWithUsers, type TestTenant } from '../helpers/app.js';
import { dockerHost, dockerSkipReason, uniqueRunId } from '../helpers/docker.js';
import { startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';

process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS ??= '1';
const skip = dockerSkipReason();
if (skip) console.log(skip);

const run = promisify(execFile);
const PASSWORD = `orig-S3cret-${uniqueRunId()}`;
const TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  app_password: {type: password}
  greeting: {type: string, default: hello}
node_templates:
  app:
    type: CTC.ServiceStage.StatelessApplication
    properties: {instances: 1}
    requirements: [{package: app-container}]
  app-container:
    type: CTC.ServiceStage.ContainerComponent
    properties:
      package:
        image: aos-test/httpd:1
        env: [{name: GREETING, value: {get_input: greeting}}]
        secrets: [{name: APP_PASSWORD, value: {get_input: app_password}}]
`;

let l: Lifecycle;
let docker: Docker;
let engineB: SecondEngine | undefined;
let stranger: TestTenant;
const clusters: Record<string, string> = {};
let templateId: string;

async function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AOS_URL: l.t.url, AOS_TOKEN: l.tenant.operator };
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'aos.mjs'), ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function containersOf(engine: Docker, stackId: string): Promise<Docker.ContainerInfo[]> {
  return engine.listContainers({ all: true, filters: { label: [`aos.stack=${stackId}`] } });
}

/** The environment of the stack's containers, as the engine has it. */
async function containerEnv(stackId: string, engine: Docker = docker): Promise<string[]> {
  const [container] = await containersOf(engine, stackId);
  if (!container) throw new Error(`stack ${stackId} has no container`);
  return (await engine.getContainer(container.Id).inspect()).Config.Env;
}

async function storedInputs(stackId: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ inputs: Record<string, unknown> }>('select inputs from stacks where id = $1', [stackId]);
    return new SecretBox(process.env.AOS_SECRET_KEY!).openAll(rows[0]?.inputs ?? {});
  } finally {
    await client.end();
  }
}

const CLONE = `mutation($input: CloneStackInput!) { cloneStack(input: $input) { __typename
  ... on CloneStackSuccess { stack { id name namespace status cluster { name } inputs { name value } } }
  ... on ValidationError { problems { code path message hint } } ... on Error { message } } }`;

describe.skipIf(skip !== null)('cloning a stack', () => {
  beforeAll(async () => {
    l = await startLifecycle('clone');
    docker = new Docker({ socketPath: dockerHost().replace(/^unix:\/\//, '') });
    stranger = await createTenantWithUsers(l.t, 'clone-stranger');
    engineB = await startSecondEngine(dockerHost(), ['aos-test/httpd:1']);
    for (const [name, endpoint] of [['engine-a', dockerHost()], ['engine-b', engineB.host]]) {
      const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { ... on RegisterClusterSuccess { cluster { id } } ... on Error { message } } }`, {
        input: { name, kind: 'DOCKER', endpoint, tenantId: l.tenant.id },
      });
      clusters[name] = res.data!.registerCluster.cluster.id;
    }
    templateId = await l.createTemplate(TEMPLATE, 'secret-app');
  });
  afterAll(async () => {
    for (const edge of (await l.t.gql(l.tenant.viewer, '{ stacks(first: 100) { edges { node { id } } } }')).data?.stacks.edges ?? []) await l.remove(edge.node.id, true).catch(() => undefined);
    await l?.close();
    await engineB?.stop();
  });

  it('copies a running stack to another namespace and to another engine with the CLI: same password inside the containers, never shown', async () => {
    const created = await l.createStack({ name: 'original', templateId, clusterId: clusters['engine-a'], inputs: { app_password: PASSWORD, greeting: 'hi' } });
    expect(created.__typename, JSON.stringify(created)).toBe('CreateStackSuccess');
    expect((await l.waitFor(created.stack.id, undefined, 120_000)).status).toBe('NORMAL');
    expect(await containerEnv(created.stack.id)).toContain(`APP_PASSWORD=${PASSWORD}`);

    // The CLI: another namespace, one input overridden, waiting for the install.
    const cli = await aos('stack', 'clone', 'copy-ns', '--from', 'original', '--namespace', 'staging', '--input', 'greeting=bonjour', '--wait');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('stack copy-ns cloned from original');
    expect(cli.stdout + cli.stderr).not.toContain(PASSWORD);
    const copy = await l.t.gql(l.tenant.operator, `{ stack(name: "copy-ns") { id status namespace cluster { name } inputs { name value } } }`);
    expect(copy.data!.stack).toMatchObject({ status: 'NORMAL', namespace: 'staging', cluster: { name: 'engine-a' } });
    expect(copy.data!.stack.inputs).toEqual(expect.arrayContaining([{ name: 'app_password', value: '******' }, { name: 'greeting', value: 'bonjour' }]));
    const env = await containerEnv(copy.data!.stack.id);
    expect(env).toEqual(expect.arrayContaining([`APP_PASSWORD=${PASSWORD}`, 'GREETING=bonjour']));

    // The CLI again: the second engine, installed there and only there.
    const moved = await aos('stack', 'clone', 'copy-engine', '--from', 'original', '--cluster', 'engine-b', '--wait');
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout + moved.stderr).not.toContain(PASSWORD);
    const onB = await l.t.gql(l.tenant.operator, `{ stack(name: "copy-engine") { id status namespace cluster { name } } }`);
    expect(onB.data!.stack).toMatchObject({ status: 'NORMAL', namespace: 'default', cluster: { name: 'engine-b' } });
    expect(await containerEnv(onB.data!.stack.id, engineB!.docker)).toEqual(expect.arrayContaining([`APP_PASSWORD=${PASSWORD}`, 'GREETING=hi']));
    expect(await containersOf(docker, onB.data!.stack.id)).toEqual([]);

    // The API: another cluster, same namespace, not deployed.
    const other = await l.t.gql(l.tenant.operator, CLONE, { input: { stackId: created.stack.id, name: 'copy-cluster', clusterName: 'engine-b', deploy: false } });
    expect(other.data!.cloneStack).toMatchObject({ __typename: 'CloneStackSuccess', stack: { name: 'copy-cluster', namespace: 'default', status: 'INITIAL', cluster: { name: 'engine-b' } } });
    expect(JSON.stringify(other)).not.toContain(PASSWORD);
    expect((await storedInputs(other.data!.cloneStack.stack.id)).app_password).toBe(PASSWORD);

    // The audit trail names the copy and its source, never the password.
    const audit = await l.t.gql(l.tenant.viewer, `{ auditRecords(first: 50, filter: { traceName: "CloneStack" }) { edges { node { traceName request message } } } }`);
    const records = audit.data!.auditRecords.edges;
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(records)).not.toContain(PASSWORD);
  }, 300_000);

  it('refuses the mask as a password: at create (API and CLI) and as a clone override', async () => {
    const created = await l.createStack({ name: 'masked', templateId, clusterId: clusters['engine-a'], inputs: { app_password: '******' }, deploy: false });
    expect(created.__typename).toBe('ValidationError');
    expect(created.problems).toEqual([expect.objectContaining({ code: 'MASKED_VALUE', path: 'inputs.app_password' })]);
    const cli = await aos('stack', 'create', 'masked', '--template', 'secret-app', '--cluster', 'engine-a', '--input', 'app_password=******', '--no-deploy');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('MASKED_VALUE');
    expect(cli.stderr).toContain('cloneStack');

    const source = await l.createStack({ name: 'source', templateId, clusterId: clusters['engine-a'], inputs: { app_password: PASSWORD }, deploy: false });
    const refused = await l.t.gql(l.tenant.operator, CLONE, { input: { stackId: source.stack.id, name: 'masked-copy', inputs: { app_password: '******' }, deploy: false } });
    expect(refused.data!.cloneStack).toMatchObject({ __typename: 'ValidationError', problems: [expect.objectContaining({ code: 'MASKED_VALUE' })] });
    const stacks = await l.t.gql(l.tenant.viewer, `{ stacks(first: 100) { edges { node { name } } } }`);
    expect(stacks.data!.stacks.edges.map((e: { node: { name: string } }) => e.node.name)).not.toContain('masked-copy');
  });

  it("another tenant's stack cannot be cloned (NotFound), and a copy's name must be free (NameTaken)", async () => {
    const source = await l.createStack({ name: 'private', templateId, clusterId: clusters['engine-a'], inputs: { app_password: PASSWORD }, deploy: false });
    const foreign = await l.t.gql(stranger.operator, CLONE, { input: { stackId: source.stack.id, name: 'stolen', deploy: false } });
    expect(foreign.data!.cloneStack.__typename).toBe('NotFound');
    expect(JSON.stringify(foreign)).not.toContain(PASSWORD);
    const taken = await l.t.gql(l.tenant.operator, CLONE, { input: { stackId: source.stack.id, name: 'private', deploy: false } });
    expect(taken.data!.cloneStack.__typename).toBe('NameTaken');
  });
});
