// `aos --help` and `aos --version` run the built JavaScript in the launcher's own process (no tsx,
// no TypeScript, no child process) and start fast. Prints the median of 10 runs of each against
// `node -e 0` on the same machine; asserts only a loose bound (the old tsx launcher added ~0.7 s).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';

const run = promisify(execFile);
const launcher = path.join(repoRoot, 'bin', 'aos.mjs');
const RUNS = 10;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aos-cli-startup-'));
  // Build first, so that no run below pays for a build.
  execFileSync(process.execPath, [launcher, '--version']);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function medianMs(args: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await run(process.execPath, args, { cwd: tmpdir() });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;
}

describe('aos startup', () => {
  it('loads dist/cli/aos.js in its own process, and no TypeScript or tsx', async () => {
    // A module hook that writes down every module the process loads.
    const log = path.join(dir, 'modules.log');
    await writeFile(
      path.join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');\n  return result;\n}\n`,
    );
    await writeFile(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
    const { stdout } = await run(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, launcher, '--help']);
    expect(stdout).toContain('Usage: aos');
    const loaded = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    expect(loaded).toContain(pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'aos.js')).href);
    expect(loaded.filter((url) => url.endsWith('.ts') || url.includes('/node_modules/tsx/'))).toEqual([]);
    // Help needs none of the heavy parts: the SDK's client, graphql-ws, ws, js-yaml.
    expect(loaded.filter((url) => /\/node_modules\/(graphql-ws|ws|js-yaml)\//.test(url) || /\/dist\/cli\/client-/.test(url))).toEqual([]);
  });

  it('answers --help and --version quickly (median of 10, printed against node -e 0)', async () => {
    const baseline = await medianMs(['-e', '0']);
    const help = await medianMs([launcher, '--help']);
    const version = await medianMs([launcher, '--version']);
    console.log(`aos startup, median of ${RUNS}: node -e 0 ${baseline.toFixed(0)} ms; aos --help ${help.toFixed(0)} ms; aos --version ${version.toFixed(0)} ms`);
    expect(help).toBeLessThan(baseline + 500);
    expect(version).toBeLessThan(baseline + 500);
  }, 60_000);
});
