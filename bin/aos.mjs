#!/usr/bin/env node
// Launcher for the aos CLI: runs the built JavaScript (dist/cli/aos.js, from src/cli) in this
// process, from any directory. A checkout without the build, or whose sources changed since, builds
// it first (about a second, said on stderr); an installed package ships it built.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(repoRoot, 'dist', 'cli', 'aos.js');

/** Why the build must be made (again), or null when it is current. A few stat calls: no reading of sources. */
function staleReason() {
  if (!existsSync(entry)) return 'the CLI is not built yet';
  // An installed package has no sources: its build is the one it shipped.
  if (!existsSync(path.join(repoRoot, 'src', 'cli'))) return null;
  const builtAt = statSync(entry).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(path.join(repoRoot, 'dist', 'cli', 'inputs.json'), 'utf8'));
  } catch {
    return 'the build lists no sources';
  }
  for (const input of inputs) {
    const source = path.join(repoRoot, input);
    if (!existsSync(source) || statSync(source).mtimeMs > builtAt) return `${input} changed since the build`;
  }
  return null;
}

const reason = staleReason();
if (reason) {
  process.stderr.write(`aos: ${reason}: building dist/cli (once)\n`);
  const { buildCli } = await import(pathToFileURL(path.join(repoRoot, 'scripts', 'build-cli.mjs')).href);
  await buildCli();
}
await import(pathToFileURL(entry).href);
