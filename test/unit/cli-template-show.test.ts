// `aos template show` lists what a version declares (like CloudFormation's get-template-summary),
// and `aos --version` answers without a server.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

const run = promisify(execFile);
let t: TestApp;
let tenant: TestTenant;

const TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
description: Inputs of every kind.
inputs:
  image: {type: string, default: aos-test/httpd:1, description: What to run.}
  instance: {type: integer, default: 1, constraints: [{in_range: [1, 5]}]}
  db_password: {type: password, default: hunter2-secret, description: The database password.}
  region: {type: string, immutable: true}
node_templates:
  rnd:
    type: CTC.Core.RandomString
`;

async function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'aos.mjs'), ...args], { env: { ...process.env, AOS_URL: t?.url ?? 'http://127.0.0.1:9/graphql', AOS_TOKEN: tenant?.operator ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('aos template show and aos --version', () => {
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantWithUsers(t, 'cli-show');
    const res = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename } }`, { input: { name: 'kinds', version: '1', body: TEMPLATE, description: 'every kind of input' } });
    expect(res.data!.createTemplate.__typename).toBe('CreateTemplateSuccess');
  });
  afterAll(async () => t?.close());

  it('prints the latest version\'s inputs: type, default (password masked), constraints, description', async () => {
    const shown = await aos('template', 'show', 'kinds');
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines).toContain('inputs of version 1:');
    expect(lines.find((line) => line.trimStart().startsWith('image'))).toMatch(/string\s+aos-test\/httpd:1\s+What to run\./);
    expect(lines.find((line) => line.trimStart().startsWith('instance'))).toMatch(/integer\s+1\s+.*in_range.*1.*5/);
    expect(lines.find((line) => line.trimStart().startsWith('db_password'))).toMatch(/password\s+\*{6}\s+The database password\./);
    expect(lines.find((line) => line.trimStart().startsWith('region'))).toMatch(/string \(immutable\)\s+\(required\)/);
    expect(shown.stdout).not.toContain('hunter2-secret');
    const listed = await aos('template', 'list');
    expect(listed.stdout).toContain('every kind of input');
  });

  it('--version prints the package version and needs no server', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const answer = await aos('--version');
    expect(answer).toMatchObject({ code: 0, stdout: `aos ${version}\n` });
  });
});
