// Builds the aos CLI (src/cli with the SDK) into dist/cli/ as plain JavaScript with esbuild: one
// entry file, aos.js, and a chunk per lazily imported part (the SDK, the template language, …),
// so no call compiles TypeScript. inputs.json lists the
// sources the bundle was made from: bin/aos.mjs rebuilds when one of them is newer.
//
// Run as `node scripts/build-cli.mjs` (npm run build:cli); bin/aos.mjs imports buildCli() when the
// build is missing or stale. Concurrent builds are safe: each file is written under a temporary
// name and renamed into place, chunks (content-hashed names) before the entry that imports them.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliOutDir = path.join(repoRoot, 'dist', 'cli');
export const cliEntry = path.join(cliOutDir, 'aos.js');
export const cliInputsFile = path.join(cliOutDir, 'inputs.json');

async function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/** Every package the CLI may import, but commander: left to node_modules. */
async function externalPackages() {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
  const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((name) => name !== 'commander');
  return names.flatMap((name) => [name, `${name}/*`]);
}

export async function buildCli() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['src/cli/aos.ts'],
    outdir: cliOutDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // npm packages stay imports of node_modules, but for commander, which every call loads: bundled,
    // it is one file already parsed with ours instead of seven CommonJS modules resolved one by one.
    external: await externalPackages(),
    // Bundled CommonJS (commander) calls require() for node's own modules: give the ES module one.
    banner: { js: "import { createRequire as __aosCreateRequire } from 'node:module'; const require = __aosCreateRequire(import.meta.url);" },
    // Chunks beside the entry: the code finds package.json and the checkout two levels up.
    chunkNames: '[name]-[hash]',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  await mkdir(cliOutDir, { recursive: true });
  const entry = result.outputFiles.find((file) => file.path === cliEntry);
  for (const file of result.outputFiles) if (file !== entry) await writeAtomically(file.path, file.contents);
  await writeAtomically(cliInputsFile, `${JSON.stringify(Object.keys(result.metafile.inputs))}\n`);
  await writeAtomically(cliEntry, entry.contents);
  await removeOldChunks(new Set(result.outputFiles.map((file) => path.basename(file.path))));
}

/** Chunks of earlier builds, once no process started before this build can still load them lazily. */
const OLD_CHUNK_MS = 60 * 60 * 1000;

async function removeOldChunks(current) {
  for (const name of await readdir(cliOutDir)) {
    if (!name.endsWith('.js') || current.has(name)) continue;
    const file = path.join(cliOutDir, name);
    if (Date.now() - (await stat(file)).mtimeMs > OLD_CHUNK_MS) await rm(file, { force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
  // stderr: `npm pack --json` runs this as prepack, and its stdout must stay JSON.
  process.stderr.write(`built ${path.relative(repoRoot, cliEntry)}\n`);
}
