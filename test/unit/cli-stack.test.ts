// The aos CLI as operators run it: a child process (bin/aos.mjs) talking to the real API over HTTP
// and graphql-ws, with a real worker on a task queue of its own, so actions really run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { StackSchema } from '../../src/db/entities/index.js';
import { recordStackEvent } from '../../src/events/stack-events.js';
import { startTestApp, uniqueName, type TestApp } from '../helpers/app.js';
import { dockerHost, dockerSkipReason, httpGet } from '../helpers/docker.js';
import { quickstartTemplate } from '../helpers/fixtures.js';
import { postgresClusterUrl, postgresSkipReason } from '../helpers/postgres-cluster.js';
import { startTestWorker, type TestWorker } from '../helpers/temporal.js';

// busybox httpd ignores SIGTERM: without this each container stop waits the whole grace period.
process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS ??= '1';

const launcher = path.join(repoRoot, 'bin', 'aos.mjs');
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Two secrets, one of them a password input, and an output that shows the masked one. */
const SECRETS_TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  length: {type: integer, default: 16, constraints: [{in_range: [8, 64]}]}
  salt: {type: password, default: abcdefghijklmnop}
  region: {type: string, default: eu}
node_templates:
  first:
    type: CTC.Core.RandomString
    properties:
      length: {get_input: length}
  second:
    type: CTC.Core.RandomString
    requirements:
      - dependency: first
outputs:
  token:
    value: {get_attribute: [first, value]}
  where:
    value: {get_input: region}
`;

let t: TestApp;
let w: TestWorker;
let dir: string;
let operatorToken: string;
let tenantName: string;

/** Runs `aos ARGS…` from another directory with the given token (null: none at all). */
async function aos(token: string | null, ...args: string[]): Promise<CliResult> {
  // No login profile of the machine's user leaks in: an empty config directory of its own.
  const env: NodeJS.ProcessEnv = { ...process.env, AOS_URL: t.url, AOS_TOKEN: token ?? '', AOS_DATA_DIR: path.join(dir, 'no-data'), XDG_CONFIG_HOME: path.join(dir, 'config') };
  try {
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { cwd: tmpdir(), env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

interface Follower {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Waits (20 s at most) until the output so far satisfies `done`. */
  until(done: (stdout: string, stderr: string) => boolean, what: string): Promise<void>;
}

/** `aos stack events STACK --follow --limit 1` running in the background as the operator. */
function follow(stack: string): Follower {
  const child = spawn(process.execPath, [launcher, 'stack', 'events', stack, '--follow', '--limit', '1'], {
    env: { ...process.env, AOS_URL: t.url, AOS_TOKEN: operatorToken, XDG_CONFIG_HOME: path.join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stdout: () => stdout,
    stderr: () => stderr,
    async until(done, what) {
      const deadline = Date.now() + 20_000;
      while (!done(stdout, stderr)) {
        if (Date.now() > deadline) throw new Error(`no ${what}; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const admin = (...args: string[]) => aos(t.adminToken, ...args);
const operator = (...args: string[]) => aos(operatorToken, ...args);

beforeAll(async () => {
  const taskQueue = `aos-test-cli-${randomBytes(4).toString('hex')}`;
  w = await startTestWorker({ config: { taskQueue }, monitorIntervalMs: 0 });
  t = await startTestApp({ taskQueue });
  dir = await mkdtemp(path.join(tmpdir(), 'aos-cli-stack-'));
  await writeFile(path.join(dir, 'secrets.yaml'), SECRETS_TEMPLATE);
  await writeFile(path.join(dir, 'broken.yaml'), SECRETS_TEMPLATE.replace('type: CTC.Core.RandomString\n    requirements', 'type: CTC.Core.RandomStrin\n    requirements'));
});

afterAll(async () => {
  await t?.close();
  await w?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('aos CLI against the API', () => {
  it('creates a tenant and an operator, printing the token once and alone on stdout', async () => {
    tenantName = uniqueName('cli');
    const tenant = await admin('tenant', 'create', tenantName);
    expect(tenant).toMatchObject({ code: 0, stderr: '' });
    expect(tenant.stdout).toMatch(new RegExp(`^tenant ${tenantName} created \\(id [0-9a-f-]{36}\\)\\n$`));

    const user = await admin('user', 'create', '--tenant', tenantName, 'ops', '--role', 'operator');
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/^\S+\n$/);
    expect(user.stderr).toContain(`user ops (OPERATOR) of tenant ${tenantName} created`);
    operatorToken = user.stdout.trim();

    const whoami = await operator('whoami');
    expect(whoami.stdout).toContain(`ops (OPERATOR) of tenant ${tenantName}`);
    expect(whoami.stdout).toContain('token from AOS_TOKEN');
    expect(whoami.stdout).not.toContain(operatorToken);

    const again = await admin('tenant', 'create', tenantName);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`aos: NameTaken: a tenant named "${tenantName}" exists already\n`);
  });

  it('makes, lists and revokes tokens, and lists and deletes users', async () => {
    const made = await operator('token', 'create', 'laptop', '--expires-in-days', '7');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^aos_\S+\n$/);
    expect(made.stderr).toMatch(/^token laptop \(id ([0-9a-f-]{36}), expires \d{4}-\d\d-\d\d /);
    const laptopToken = made.stdout.trim();
    const id = /id ([0-9a-f-]{36})/.exec(made.stderr)![1];
    const listed = await aos(laptopToken, 'token', 'list');
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+CREATED\s+EXPIRES\s+LAST USED\s+ID$/);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(laptopToken);
    expect((await operator('token', 'revoke', id)).stdout).toBe(`token ${id} revoked\n`);
    expect((await aos(laptopToken, 'whoami')).code).toBe(1);

    expect((await admin('user', 'create', '--tenant', tenantName, 'temp', '--role', 'viewer')).code).toBe(0);
    const users = await admin('user', 'list', '--tenant', tenantName);
    expect(users.stdout.split('\n').slice(1, 3).map((line) => line.split(/\s+/)[0])).toEqual(['ops', 'temp']);
    expect((await admin('user', 'delete', 'temp', '--tenant', tenantName)).stdout).toBe('user temp deleted; its tokens are revoked\n');
    const refused = await operator('user', 'delete', 'ops');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^aos: Forbidden: /);
  });

  it('reads the admin token from <data dir>/admin-token without AOS_TOKEN, and says where a refused token came from', async () => {
    const dataDir = path.join(dir, 'data');
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'admin-token'), `${t.adminToken}\n`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, AOS_URL: t.url, AOS_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dir, 'config') };
    delete env.AOS_TOKEN;
    const { stdout } = await run(process.execPath, [launcher, 'whoami'], { env });
    expect(stdout).toContain('(ADMIN) of tenant default');
    expect(stdout).toContain(`token from ${path.join(dataDir, 'admin-token')}`);

    const refused = await aos('not-a-token', 'stack', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('aos: UNAUTHENTICATED: the bearer token is not valid\n  token from AOS_TOKEN\n');
    const missing = await aos(null, 'stack', 'list');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('UNAUTHENTICATED');
  });

  it('creates templates and versions; a bad file is a ValidationError with FILE:LINE:COL on stderr', async () => {
    const file = path.join(dir, 'secrets.yaml');
    const created = await operator('template', 'create', 'secrets', file);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created template secrets \(id [0-9a-f-]{36}\), versions 1\n$/);
    const version = await operator('template', 'version', 'secrets', file, '--version', '2');
    expect(version.stdout).toContain('versions 1, 2');

    const broken = path.join(dir, 'broken.yaml');
    const bad = await operator('template', 'create', 'broken', broken);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')[0]).toBe('aos: ValidationError: the template has 1 problem');
    expect(bad.stderr).toContain(`  ${broken}:12:5 node_templates.second.type UNKNOWN_TYPE unknown node type "CTC.Core.RandomStrin" (did you mean "CTC.Core.RandomString"?)`);

    // -o json (and its alias --json): the typed error as JSON on stderr, nothing on stdout.
    for (const format of [['-o', 'json'], ['--json']]) {
      const json = await operator('template', 'create', 'broken', broken, ...format);
      expect(json.code).toBe(1);
      expect(json.stdout).toBe('');
      expect(JSON.parse(json.stderr).error).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'UNKNOWN_TYPE', line: 12, column: 5 }] });
    }

    const list = await operator('template', 'list');
    expect(list.stdout.split('\n')[1]).toMatch(/^secrets\s+2\s+2\s/);
    const body = await operator('template', 'show', 'secrets', '--body', '--version', '1');
    // The text as written, but for the password input's default (masked for every role).
    expect(body.stdout).toBe(SECRETS_TEMPLATE.replace('default: abcdefghijklmnop', 'default: "******"'));
  });

  it('creates a stack without deploying it, shows, lists, exports (password masked) and deletes it', async () => {
    const created = await operator('stack', 'create', 'idle', '--template', 'secrets', '--version', '1', '--input', 'length=12', '--input', 'salt=hunter2hunter2', '--no-deploy', '--no-rollback', '--timeout', '5');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^stack idle created \(id [0-9a-f-]{36}\): INITIAL\n$/);

    const show = await operator('stack', 'show', 'idle');
    expect(show.code).toBe(0);
    const lines = show.stdout.split('\n');
    expect(lines[0]).toBe('stack idle: INITIAL, revision 0');
    expect(show.stdout).toContain('template   secrets, version 1');
    expect(show.stdout).toContain('inputs     length=12  salt=******  region=eu');
    expect(show.stdout).toContain('settings   timeout 5 min, auto rollback off');
    expect(show.stdout).toContain('allowed    INSTALL, DELETE, FORCE_DELETE');
    expect(show.stdout).toMatch(/\nfirst\s+CTC\.Core\.RandomString\s+PENDING\s/);
    expect(show.stdout).not.toContain('hunter2');

    const byId = await operator('stack', 'show', lines[1].trim().split(/\s+/)[1], '-o', 'json');
    expect(JSON.parse(byId.stdout)).toMatchObject({ name: 'idle', status: 'INITIAL', inputs: [{ name: 'length', value: 12 }, { name: 'salt', value: '******' }, { name: 'region', value: 'eu' }] });

    const list = await operator('stack', 'list');
    expect(list.stdout).toMatch(/^NAME\s+STATUS\s+ACTION\s+REV\s+TEMPLATE\s+CLUSTER\s+UPDATED\nidle\s+INITIAL\s+-\s+0\s+secrets:1\s+-\s/);
    expect((await operator('stack', 'list', '--status', 'normal')).stdout).toBe('no stacks\n');

    expect((await operator('stack', 'export', 'idle')).stdout).toBe("length: 12\nsalt: '******'\nregion: eu\n");
    expect(JSON.parse((await operator('stack', 'export', 'idle', '--format', 'json')).stdout)).toEqual({ length: 12, salt: '******', region: 'eu' });

    const wrongState = await operator('stack', 'start', 'idle');
    expect(wrongState.code).toBe(1);
    expect(wrongState.stderr).toBe('aos: InvalidStackState: START is not allowed while stack "idle" is INITIAL\n  status INITIAL; allowed now: INSTALL, DELETE, FORCE_DELETE\n');

    const deleted = await operator('stack', 'delete', 'idle', '--wait');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^idle: delete started\n(.*\n)*idle: deleted after \d+\.\d s\n$/);
    // Its final events are printed before the end.
    expect(deleted.stdout).toMatch(/STACK_DELETED: stack deleted: every element removed\nidle: deleted after/);
    // Deleted, it stays readable by the name it had while no live stack takes that name.
    const gone = await operator('stack', 'show', 'idle');
    expect(gone.code).toBe(0);
    expect(gone.stdout).toMatch(/^stack idle: DELETED \(DELETE COMPLETE\), revision 0\n/);
    expect(gone.stdout).toContain('allowed    nothing (the stack is deleted');
    expect(gone.stdout).toMatch(/\n {2}deleted {4}\S/);
    const history = await operator('stack', 'events', 'idle');
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n')[0]).toMatch(/STACK_DELETED: stack deleted/);
    expect(history.stdout).toMatch(/STACK_CREATED/);
    const waited = await operator('stack', 'wait', 'idle');
    expect(waited).toMatchObject({ code: 0, stdout: expect.stringMatching(/idle: deleted after/) });
    const refused = await operator('stack', 'start', 'idle');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/NotFound: .*was deleted/);
    const listed = await operator('stack', 'list', '--status', 'deleted');
    expect(listed.stdout).toMatch(/\nidle\s+DELETED\s+DELETE COMPLETE\s/);
    expect((await operator('stack', 'list', '--name', 'idle')).stdout).toBe('no stacks\n');
    // A new stack takes the name: by name, the live one answers.
    expect((await operator('stack', 'create', 'idle', '--template', 'secrets', '--version', '1', '--no-deploy')).code).toBe(0);
    expect((await operator('stack', 'show', 'idle')).stdout).toMatch(/^stack idle: INITIAL/);
    expect((await operator('stack', 'delete', 'idle', '--wait')).code).toBe(0);
  });

  it('reports every problem of a create request, and previews a create without storing anything', async () => {
    const bad = await operator('stack', 'create', 'nope', '--template', 'secrets', '--input', 'length=abc', '--input', 'lenght=9');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'aos: ValidationError: 2 problems in the request\n' +
        '  inputs.lenght UNKNOWN_INPUT the template has no input "lenght" (did you mean "length"?)\n' +
        '  inputs.length TYPE_MISMATCH input "length": expected an integer, got a string ("abc")\n',
    );
    const missing = await operator('stack', 'create', 'nope', '--template', 'no-such-template');
    expect(missing).toMatchObject({ code: 1, stderr: 'aos: NotFound: template "no-such-template" not found\n' });
    const usage = await operator('stack', 'create', 'nope');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing --template');

    const preview = await operator('stack', 'preview', 'nope', '--template', 'secrets', '--input', 'length=9');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('plan: 2 elements, 2 changes, 2 waves');
    expect(preview.stdout).toContain('waves: [first] → [second]');
    expect(preview.stdout).toContain('first: {"length":9');
    expect((await operator('stack', 'list')).stdout).toBe('no stacks\n');
  });

  it('runs a life: create --wait, outputs (secret masked), events, follow, stop/start, update, audit, delete', async () => {
    const created = await operator('stack', 'create', 'life', '--template', 'secrets', '--input', 'length=10', '--wait');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('ACTION_STARTED: INSTALL started');
    expect(created.stdout).toContain('ELEMENT_CREATE_SUCCEEDED first: create succeeded');
    expect(created.stdout).toMatch(/\nlife: NORMAL \(INSTALL COMPLETE\) after \d+\.\d s\n$/);

    expect((await operator('stack', 'output', 'life', 'where')).stdout).toBe('eu\n');
    expect((await operator('stack', 'output', 'life', 'token')).stdout).toBe('******\n');
    const noSuchOutput = await operator('stack', 'output', 'life', 'nope');
    expect(noSuchOutput).toMatchObject({ code: 1, stderr: 'aos: NotFound: stack life has no output "nope"\n  its outputs: token, where\n' });

    const events = await operator('stack', 'events', 'life', '--limit', '3');
    expect(events.stdout.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}ACTION_COMPLETED: INSTALL completed$/);
    expect(events.stdout.split('\n').filter(Boolean)).toHaveLength(3);

    // --follow: the newest event first, then what the STOP writes, live; Ctrl-C ends it with 0.
    const follower = follow('life');
    await follower.until((out, err) => err.includes('following life') && out.includes('INSTALL completed'), 'the start of the follow');
    // The subscription is set up a moment after the socket opens; anything written meanwhile comes with the catch-up.
    const stopped = await operator('stack', 'stop', 'life', '--wait');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/^life: STOP started — PROCESSING \(STOP IN_PROGRESS\)\n/);
    expect(stopped.stdout).toMatch(/\nlife: STOPPED \(STOP COMPLETE\) after \d+\.\d s\n$/);
    await follower.until((out) => out.includes('STOP completed'), 'the STOP events in the follow');
    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);
    const followedLines = follower.stdout().split('\n').filter(Boolean);
    expect(followedLines[0]).toContain('ACTION_COMPLETED: INSTALL completed');
    expect(followedLines.filter((line) => line.includes('ACTION_STARTED: STOP started'))).toHaveLength(1);
    expect(followedLines.at(-1)).toContain('ACTION_COMPLETED: STOP completed');

    expect((await operator('stack', 'start', 'life', '--wait')).stdout).toMatch(/life: NORMAL \(START COMPLETE\)/);

    const plan = await operator('stack', 'update', 'life', '--input', 'region=us', '--preview');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('plan: 2 elements, 0 changes');
    const updated = await operator('stack', 'update', 'life', '--input', 'region=us', '--version', '2', '--wait');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/life: NORMAL \(UPDATE COMPLETE\)/);
    const show = await operator('stack', 'show', 'life');
    expect(show.stdout).toContain('stack life: NORMAL (UPDATE COMPLETE), revision 2');
    expect(show.stdout).toContain('template   secrets, version 2');
    expect((await operator('stack', 'output', 'life', 'where')).stdout).toBe('us\n');

    const audit = await operator('audit', '--limit', '3');
    expect(audit.stdout.split('\n')[0]).toMatch(/^TIME\s+TRACE\s+STATUS\s+CODE\s+USER\s+RESOURCE\s+MESSAGE$/);
    expect(audit.stdout.split('\n')[1]).toMatch(new RegExp(`UpdateStack\\s+normal\\s+200\\s+ops@${tenantName}\\s+stack life\\s+update started`));
    expect(audit.stdout).not.toContain(operatorToken);

    const gql = await operator('gql', 'query($n: String) { stack(name: $n) { status revision } }', '--var', 'n=life');
    expect(JSON.parse(gql.stdout)).toEqual({ data: { stack: { status: 'NORMAL', revision: 2 } } });
    const gqlError = await operator('gql', '{ nope }');
    expect(gqlError.code).toBe(1);
    expect(JSON.parse(gqlError.stdout).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // A follow ends by itself when the stack is deleted.
    const lastFollower = follow('life');
    await lastFollower.until((_out, err) => err.includes('following life'), 'the start of the second follow');
    expect((await operator('stack', 'delete', 'life', '--wait')).stdout).toMatch(/life: deleted after/);
    expect(await lastFollower.exited).toBe(0);
    expect(lastFollower.stdout()).toMatch(/STACK_DELETED: stack deleted: every element removed\n$/);
    expect(lastFollower.stderr()).toContain('life is deleted: nothing more will come');
  }, 120_000);

  it('follows on after the server closes its stream (4008, the notification feed lost): every event once, in order', async () => {
    expect((await operator('stack', 'create', 'resumed', '--template', 'secrets', '--version', '1', '--no-deploy')).code).toBe(0);
    const em = t.app.orm.em.fork();
    const stack = await em.findOneOrFail(StackSchema, { name: 'resumed', tenant: { name: tenantName } });
    const write = async (label: string) => {
      for (let i = 0; i < 5; i += 1) await recordStackEvent(t.app.orm.em.fork(), { tenantId: stack.tenant.id, stackId: stack.id, type: 'MARK', message: `${label}-${i}` });
    };
    const follower = follow('resumed');
    await follower.until((_out, err) => err.includes('following resumed'), 'the start of the follow');
    // The subscription is in place once a live event comes through.
    await write('before');
    await follower.until((out) => out.includes('before-4'), 'the live events');
    await em.getConnection().execute('select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?', [t.app.listener.applicationName]);
    // Written while the API has no LISTEN connection and the CLI reconnects: only a catch-up finds them.
    await write('during');
    await follower.until((out) => out.includes('during-4'), 'the events written while the feed was down');
    await follower.until((_out, err) => err.includes('reconnecting and catching up'), 'the notice of the resume');
    await write('after');
    await follower.until((out) => out.includes('after-4'), 'the live events after the resume');
    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);
    const marks = [...follower.stdout().matchAll(/MARK: (\w+-\d)/g)].map((match) => match[1]);
    expect(marks).toEqual(['before', 'during', 'after'].flatMap((label) => Array.from({ length: 5 }, (_, i) => `${label}-${i}`)));
  }, 60_000);
});

const skipPostgres = postgresSkipReason();
describe.skipIf(skipPostgres !== null)('aos cluster register of a PostgreSQL server', () => {
  it('takes the connection URL from a file and --publish-address as where workloads reach the server', async () => {
    const file = path.join(dir, 'pg-url');
    await writeFile(file, `${postgresClusterUrl()}\n`, { mode: 0o600 });
    const name = uniqueName('pg');
    const registered = await admin('cluster', 'register', name, '--tenant', tenantName, '--connection-url-file', file, '--publish-address', 'host.docker.internal:15432');
    expect(registered.stdout, registered.stderr).toMatch(new RegExp(`^cluster ${name} registered \\(POSTGRESQL postgresql://.*\\): healthy`));
    const rows = await t.app.orm.em.fork().getConnection().execute<{ publish_address: string }[]>('select publish_address from clusters where name = ?', [name]);
    expect(rows).toEqual([{ publish_address: 'host.docker.internal:15432' }]);
  });
});

const skipDocker = dockerSkipReason();
describe.skipIf(skipDocker !== null)('the README tour: the quick-start on the local Docker engine through the CLI', () => {
  it('registers the engine, installs the quick-start with a local image, serves the page on the NodePort output, deletes it', async () => {
    // The platform's own engine reaches a tenant only through the platform administrator.
    expect((await operator('cluster', 'register', 'local', '--endpoint', dockerHost())).stderr).toMatch(/^aos: Forbidden: /);
    const cluster = await admin('cluster', 'register', 'local', '--tenant', tenantName, '--endpoint', dockerHost());
    expect(cluster.stdout).toMatch(/^cluster local registered \(DOCKER .*\): healthy/);
    const file = path.join(dir, 'nginx-quickstart.yaml');
    await writeFile(file, quickstartTemplate());
    expect((await operator('template', 'create', 'nginx-quickstart', file)).code).toBe(0);
    const created = await operator('stack', 'create', 'web', '--template', 'nginx-quickstart', '--cluster', 'local', '--input', 'image=aos-test/httpd:1', '--input', 'instance=2', '--wait');
    expect(created.stdout).toMatch(/web: NORMAL \(INSTALL COMPLETE\)/);
    const port = Number((await operator('stack', 'output', 'web', 'nginx-NodePort')).stdout.trim());
    expect(port).toBeGreaterThan(0);
    expect((await httpGet('127.0.0.1', port, '/')).body).toContain('AOS test page v1');
    expect((await operator('stack', 'delete', 'web', '--wait')).code).toBe(0);
  }, 120_000);
});
