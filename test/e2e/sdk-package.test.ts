// The SDK as a user gets it: `npm pack`, the tarball installed into a scratch project, a small
// TypeScript program typechecked against the package's declarations and run against the real API.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';

const run = promisify(execFile);
let t: TestApp;
let tenant: TestTenant;
let scratch: string;

const PROGRAM = `import WebSocket from 'ws';
import { createAosClient, expectSuccess, ViewerDocument, CreateTemplateDocument, TemplatesDocument, type ViewerQuery } from 'aos/sdk';

declare const process: { env: Record<string, string | undefined>; stdout: { write(text: string): void } };

const client = createAosClient({ url: process.env.AOS_URL ?? '', token: process.env.AOS_TOKEN ?? '', webSocketImpl: WebSocket });
const { viewer }: ViewerQuery = await client.request(ViewerDocument);
const created = await client.request(CreateTemplateDocument, { input: { name: 'from-the-sdk', version: '1', body: 'tosca_definitions_version: ctc_tosca_version_1_0\\nnode_templates:\\n  rnd:\\n    type: CTC.Core.RandomString\\n' } });
const { template } = expectSuccess(created.createTemplate, 'CreateTemplateSuccess');
const listed = await client.request(TemplatesDocument, { first: 10 });
process.stdout.write(JSON.stringify({ role: viewer.role, template: template.name, templates: listed.templates.edges.map((edge) => edge.node.name) }) + '\\n');
await client.close();
`;

describe('the packed SDK', () => {
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantWithUsers(t, 'sdk-pack');
    scratch = await mkdtemp(path.join(tmpdir(), 'aos-sdk-consumer-'));
  });
  afterAll(async () => {
    await t?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('installs from its tarball, typechecks a program against its declarations and runs it against the API', async () => {
    const started = Date.now();
    // prepack builds dist/sdk first (tsc -p tsconfig.sdk.json).
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', scratch, '--loglevel=error'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    const [tarball] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    expect(tarball.files.map((file) => file.path)).toEqual(expect.arrayContaining(['dist/sdk/index.js', 'dist/sdk/index.d.ts', 'package.json']));
    expect(tarball.files.some((file) => file.path.startsWith('src/'))).toBe(false);

    await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
    await writeFile(path.join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', lib: ['ES2023', 'DOM'], types: [], skipLibCheck: true }, include: ['program.ts'] }));
    await writeFile(path.join(scratch, 'program.ts'), PROGRAM);
    const tgz = (await readdir(scratch)).find((file) => file.endsWith('.tgz'))!;
    await run('npm', ['install', `./${tgz}`, 'ws@8', '@types/ws@8', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], { cwd: scratch, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
    const installed = Date.now();
    // The user's compiler: typecheck and build against the package's declarations only.
    await run(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: scratch });
    const { stdout } = await run(process.execPath, [path.join(scratch, 'out', 'program.js')], { cwd: scratch, env: { ...process.env, AOS_URL: t.url, AOS_TOKEN: tenant.operator } });
    expect(JSON.parse(stdout)).toEqual({ role: 'OPERATOR', template: 'from-the-sdk', templates: ['from-the-sdk'] });
    console.log(`SDK package: pack + install ${installed - started} ms, typecheck + run ${Date.now() - installed} ms`);

    // A type error in the user's program is caught by the declarations.
    await writeFile(path.join(scratch, 'program.ts'), PROGRAM.replace("{ first: 10 }", "{ first: 'ten' }"));
    const failed = await run(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: scratch }).then(
      () => null,
      (error: { stdout: string }) => error.stdout,
    );
    expect(failed).toMatch(/program\.ts.*error TS2322/s);
  }, 300_000);
});
