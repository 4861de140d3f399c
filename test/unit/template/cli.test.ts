import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickStartPath, repoRoot } from './fixtures.js';

const run = promisify(execFile);
const launcher = path.join(repoRoot, 'bin', 'aos.mjs');

async function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // From another directory, to show the launcher finds the built CLI by itself.
    const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { cwd: tmpdir() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('aos template validate', () => {
  let dir: string;
  let badFile: string;
  let jsonFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aos-cli-'));
    badFile = path.join(dir, 'bad.yaml');
    jsonFile = path.join(dir, 'good.json');
    await writeFile(
      badFile,
      [
        'tosca_definitions_version: ctc_tosca_version_1_0',
        'node_templates:',
        '  app:',
        '    type: CTC.ServiceStage.StatelessApp',
        '  db:',
        '    type: CTC.RDS.PostgreSQL',
        '    properties: {database: app, usr: app}',
      ].join('\n'),
    );
    await writeFile(jsonFile, JSON.stringify({ tosca_definitions_version: 'ctc_tosca_version_1_0', node_templates: { token: { type: 'CTC.Core.RandomString' } } }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints "FILE: ok (N elements)" and exits 0 for valid templates', async () => {
    const result = await aos('template', 'validate', quickStartPath, jsonFile);
    expect(result.stdout).toBe(`${quickStartPath}: ok (2 elements)\n${jsonFile}: ok (1 element)\n`);
    expect(result.code).toBe(0);
  });

  it('prints FILE:LINE:COL PATH CODE message (hint) per problem and exits 1', async () => {
    const result = await aos('template', 'validate', quickStartPath, badFile);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `${quickStartPath}: ok (2 elements)`,
      `${badFile}:4:5 node_templates.app.type UNKNOWN_TYPE unknown node type "CTC.ServiceStage.StatelessApp" (did you mean "CTC.ServiceStage.StatelessApplication"?)`,
      `${badFile}:7:5 node_templates.db.properties.user MISSING_FIELD node "db" needs property "user"`,
      `${badFile}:7:33 node_templates.db.properties.usr UNKNOWN_FIELD unknown property "usr" of node "db" (did you mean "user"?)`,
    ]);
  });

  it('reports unreadable files and wrong usage', async () => {
    const missing = await aos('template', 'validate', path.join(dir, 'missing.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('UNREADABLE_FILE');
    const usage = await aos('template', 'validate');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("error: missing required argument 'FILE'");
    expect((await aos('template', 'validate', '--help')).stdout).toContain('Usage: aos template validate');
    const unknown = await aos('nonsense');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('prints one JSON object per file with --json (and -o json)', async () => {
    const result = await aos('template', 'validate', '--json', badFile);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { file: string; valid: boolean; problems: unknown[] };
    expect(parsed).toMatchObject({ file: badFile, valid: false });
    expect(parsed.problems).toHaveLength(3);
    expect(JSON.parse((await aos('template', 'validate', '-o', 'json', badFile)).stdout)).toEqual(parsed);
  });
});
