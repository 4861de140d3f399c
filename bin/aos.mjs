#!/usr/bin/env node
// Launcher for the aos CLI: runs src/cli/aos.ts under tsx from this repository's node_modules, so
// the command works from any directory. Output, input and exit code are the CLI's own.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));
const tsxLoader = pathToFileURL(requireFromRepo.resolve('tsx')).href;

const child = spawn(
  process.execPath,
  ['--import', tsxLoader, path.join(repoRoot, 'src', 'cli', 'aos.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (error) => {
  console.error(`aos: cannot start: ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
