// The aos CLI (a child process, bin/aos.mjs) against the real API: -o json and -o yaml print plain
// objects (lists as arrays of nodes, no Relay edges), the typed error goes to stderr, lists say
// "no …" when empty, exit codes are 0/1/2, and login profiles live in a mode-600 config file.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

const launcher = path.join(repoRoot, 'bin', 'aos.mjs');
const run = promisify(execFile);

const TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  length: {type: integer, default: 16}
node_templates:
  first:
    type: CTC.Core.RandomString
    properties:
      length: {get_input: length}
`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let t: TestApp;
let tenant: TestTenant;
let dir: string;

/** `aos ARGS…` with this environment over a clean one (no AOS_URL, AOS_TOKEN or profile of the machine's user). */
async function aosWith(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), AOS_DATA_DIR: path.join(dir, 'no-data') };
  for (const name of ['AOS_URL', 'AOS_TOKEN', 'AOS_PROFILE']) delete base[name];
  const child = spawn(process.execPath, [launcher, ...args], { env: { ...base, ...env }, cwd: tmpdir() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input ?? '');
  const code = await new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? -1)));
  return { code, stdout, stderr };
}

/** A port nothing listens on: one the system just gave out and took back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const operator = (...args: string[]) => aosWith({ AOS_URL: t.url, AOS_TOKEN: tenant.operator }, args);

beforeAll(async () => {
  t = await startTestApp();
  tenant = await createTenantWithUsers(t, 'cli-output');
  dir = await mkdtemp(path.join(tmpdir(), 'aos-cli-output-'));
  await writeFile(path.join(dir, 'random.yaml'), TEMPLATE);
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('aos -o table|json|yaml', () => {
  it('says "no …" for an empty list, and prints [] with -o json', async () => {
    expect(await operator('stack', 'list')).toMatchObject({ code: 0, stdout: 'no stacks\n' });
    expect(await operator('template', 'list')).toMatchObject({ code: 0, stdout: 'no templates\n' });
    expect(JSON.parse((await operator('stack', 'list', '-o', 'json')).stdout)).toEqual([]);
    expect(load((await operator('template', 'list', '-o', 'yaml')).stdout)).toEqual([]);
  });

  it('prints lists as arrays of plain nodes and a stack as one object, the same in JSON and YAML', async () => {
    expect((await operator('template', 'create', 'random', path.join(dir, 'random.yaml'))).code).toBe(0);
    expect((await operator('stack', 'create', 'quiet', '--template', 'random', '--input', 'length=9', '--no-deploy')).code).toBe(0);

    const listed = await operator('stack', 'list', '-o', 'json');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const stacks = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(stacks).toHaveLength(1);
    expect(stacks[0]).toMatchObject({ name: 'quiet', status: 'INITIAL', template: { name: 'random' }, templateVersion: { version: '1' } });
    expect(listed.stdout).not.toMatch(/edges|__typename|pageInfo/);
    // The same before the command, and in YAML.
    expect(JSON.parse((await operator('-o', 'json', 'stack', 'list')).stdout)).toEqual(stacks);
    expect(load((await operator('stack', 'list', '-o', 'yaml')).stdout)).toEqual(stacks);
    // --json is -o json.
    expect(JSON.parse((await operator('stack', 'list', '--json')).stdout)).toEqual(stacks);

    const shown = JSON.parse((await operator('stack', 'show', 'quiet', '-o', 'json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ name: 'quiet', status: 'INITIAL', inputs: [{ name: 'length', value: 9 }], elements: [{ name: 'first', type: 'CTC.Core.RandomString' }] });
    expect(load((await operator('stack', 'show', 'quiet', '-o', 'yaml')).stdout)).toEqual(shown);

    const templates = JSON.parse((await operator('template', 'list', '-o', 'json')).stdout) as unknown[];
    expect(templates).toMatchObject([{ name: 'random', latestVersion: { version: '1' }, versions: [{ version: '1' }] }]);
    const template = load((await operator('template', 'show', 'random', '-o', 'yaml')).stdout);
    expect(template).toMatchObject({ name: 'random', versions: [{ version: '1', inputs: [{ name: 'length', type: 'integer', default: 16 }] }] });
    expect(JSON.parse((await operator('stack', 'export', 'quiet', '-o', 'json')).stdout)).toEqual({ length: 9 });
    expect(JSON.parse((await operator('whoami', '-o', 'json')).stdout)).toMatchObject({ name: 'operator-1', role: 'OPERATOR', tenant: { name: tenant.name }, tokenSource: 'AOS_TOKEN' });
  });

  it('puts the typed error on stderr (as JSON with -o json), nothing on stdout, exit 1', async () => {
    const missing = await operator('stack', 'show', 'nope', '-o', 'json');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(missing.stderr)).toEqual({ error: { __typename: 'NotFound', code: 'NOT_FOUND', message: 'stack "nope" not found' } });
    const wrongState = await operator('stack', 'start', 'quiet', '-o', 'yaml');
    expect(wrongState).toMatchObject({ code: 1, stdout: '' });
    expect(load(wrongState.stderr)).toMatchObject({ error: { __typename: 'InvalidStackState', status: 'INITIAL', allowedActions: ['INSTALL', 'DELETE', 'FORCE_DELETE'] } });
    const readable = await operator('stack', 'cancel', 'quiet');
    expect(readable).toMatchObject({ code: 1, stdout: '' });
    expect(readable.stderr).toMatch(/^aos: InvalidStackState: /);
  });
});

describe('aos exit codes', () => {
  it('exits 2 on wrong usage, commander\'s own errors included', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: aos/],
      [['nonsense'], /unknown command 'nonsense'/],
      [['stack', 'list', '--bogus'], /unknown option '--bogus'/],
      [['stack', 'show'], /missing required argument 'STACK'/],
      [['stack', 'show', 'a', 'b'], /too many arguments/],
      [['stack', 'list', '-o', 'xml'], /argument 'xml' is invalid/],
      [['stack', 'list', '--limit', 'many'], /--limit must be a whole number/],
      [['stack', 'delete', 'x', '--after-current'], /use it with --wait/],
      [['cluster', 'register', 'c', '--endpoint', 'tcp://h:2375', '--stop-grace-period', '301'], /--stop-grace-period must be a whole number from 0 to 300/],
    ];
    for (const [args, message] of cases) {
      const result = await operator(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('exits 0 for help and the version, 1 when the API cannot be reached or refuses the token', async () => {
    expect((await operator('--help')).code).toBe(0);
    expect((await operator('stack', 'create', '--help')).stdout).toContain('Usage: aos stack create [options] <NAME>');
    expect((await operator('help', 'stack')).code).toBe(0);
    expect((await operator('--version')).stdout).toMatch(/^aos \d+\.\d+\.\d+\n$/);
    const closedPort = await freePort();
    const unreachable = await aosWith({ AOS_URL: `http://127.0.0.1:${closedPort}/graphql`, AOS_TOKEN: 'x' }, ['stack', 'list']);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toContain(`aos: cannot reach the AOS API at http://127.0.0.1:${closedPort}/graphql (ECONNREFUSED)`);
    const refused = await aosWith({ AOS_URL: t.url, AOS_TOKEN: 'not-a-token' }, ['whoami']);
    expect(refused).toMatchObject({ code: 1, stderr: 'aos: UNAUTHENTICATED: the bearer token is not valid\n  token from AOS_TOKEN\n' });
  });
});

describe('aos login and profiles', () => {
  const configDir = () => path.join(dir, 'config', 'aos');
  const configFile = () => path.join(configDir(), 'config.json');
  const plainAos = (...args: string[]) => aosWith({}, args);

  it('refuses a bad token and writes nothing', async () => {
    const refused = await aosWith({}, ['login', '--url', t.url, '--token-stdin'], 'aos_not_a_token\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    expect(existsSync(configFile())).toBe(false);
    expect((await plainAos('login', '--url', t.url)).code).toBe(2);
  });

  it('keeps two profiles in a mode-600 file, switches between them, and never prints a token', async () => {
    const first = await aosWith({}, ['login', '--profile', 'ops', '--url', t.url, '--token-stdin'], `${tenant.operator}\n`);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`as operator-1 (OPERATOR) of tenant ${tenant.name}; profile ops saved`);
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    expect((await stat(configDir())).mode & 0o777).toBe(0o700);
    expect((await plainAos('login', '--profile', 'look', '--url', t.url, '--token', tenant.viewer)).code).toBe(0);
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({
      currentProfile: 'look',
      profiles: { ops: { url: t.url, token: tenant.operator }, look: { url: t.url, token: tenant.viewer } },
    });

    const listed = await plainAos('profile', 'list');
    expect(listed.stdout).toMatch(/\n {3}ops\s/);
    expect(listed.stdout).toMatch(/\n\* {2}look\s/);
    expect(listed.stdout).not.toContain(tenant.viewer);
    expect(listed.stdout).toContain(`****${tenant.viewer.slice(-4)}`);
    expect(JSON.parse((await plainAos('profile', 'list', '-o', 'json')).stdout)).toEqual([
      { name: 'ops', url: t.url, token: `****${tenant.operator.slice(-4)}`, current: false },
      { name: 'look', url: t.url, token: `****${tenant.viewer.slice(-4)}`, current: true },
    ]);

    expect((await plainAos('whoami')).stdout).toContain('viewer-1 (VIEWER)');
    expect((await plainAos('whoami')).stdout).toContain('token from profile look');
    expect((await plainAos('profile', 'use', 'ops')).code).toBe(0);
    expect((await plainAos('whoami')).stdout).toContain('operator-1 (OPERATOR)');
    expect((await plainAos('whoami', '--profile', 'look')).stdout).toContain('viewer-1 (VIEWER)');
    expect((await plainAos('--profile', 'look', 'whoami')).stdout).toContain('viewer-1 (VIEWER)');
    expect((await aosWith({ AOS_PROFILE: 'look' }, ['whoami'])).stdout).toContain('viewer-1 (VIEWER)');
    // The environment's token wins over the profile's.
    expect((await aosWith({ AOS_TOKEN: tenant.viewer }, ['whoami'])).stdout).toContain('viewer-1 (VIEWER) of tenant');
    const unknown = await plainAos('whoami', '--profile', 'nope');
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('no login profile "nope"');
    expect((await plainAos('profile', 'use', 'nope')).code).toBe(1);

    // A file others can read is not used.
    await chmod(configFile(), 0o644);
    const exposed = await plainAos('whoami');
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain('is readable or writable by others (mode 644)');
    await chmod(configFile(), 0o600);

    expect((await plainAos('logout', '--profile', 'look')).code).toBe(0);
    expect(JSON.parse((await plainAos('profile', 'list', '-o', 'json')).stdout)).toEqual([{ name: 'ops', url: t.url, token: `****${tenant.operator.slice(-4)}`, current: true }]);
  });
});

describe('aos completion', () => {
  /** Runs bash's completion function of the script `aos completion bash` prints, as TAB would, for the words typed. */
  async function complete(...words: string[]): Promise<string[]> {
    const script = [
      `aos() { "${process.execPath}" "${launcher}" "$@"; }`,
      // bash-completion's helper, when the machine lacks that package: the words as bash split them.
      'if [ -f /usr/share/bash-completion/bash_completion ]; then source /usr/share/bash-completion/bash_completion; else',
      '  _get_comp_words_by_ref() { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }',
      'fi',
      'source <(aos completion bash)',
      `COMP_WORDS=(aos ${words.join(' ')}); COMP_CWORD=${words.length}`,
      '__aos_complete 2>/dev/null',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config') } });
    return stdout.split('\n').filter(Boolean);
  }

  it('prints bash and zsh scripts whose completion of commands and subcommands really runs', async () => {
    expect(await complete('st')).toEqual(['stack']);
    expect(await complete('stack', 'cr')).toEqual(['create']);
    expect(await complete('stack', 'list', '--st')).toEqual(['--status']);
    const zsh = await aosWith({}, ['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toContain('#compdef aos');
    expect((await aosWith({}, ['completion', 'tcsh'])).code).toBe(2);
  });
});
