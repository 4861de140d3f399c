// Every environment variable the code reads has a row in the README's variable table, and every
// row names a variable something still reads: a newcomer configures AOS from that table alone.
// The variables are found in the source text, the way a reader would grep for them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';

/** Read only by the test suite or the benchmarks, which document them where they are used. */
const TEST_ONLY_PREFIXES = ['AOS_TEST_', 'AOS_BENCH_'];
const TEST_ONLY = new Map([
  ['AOS_RECORD_HISTORIES', 'rewrites the replayed workflow histories (test/workflows)'],
  ['AOS_DATA_DIR_TEST', 'exported by scripts/test.sh for the suite'],
]);

/** Names the shell scripts use that are not read from the caller's environment. */
const SCRIPT_INTERNAL = new Map([
  ['AOS_ROOT', 'the checkout, computed by scripts/lib.sh'],
  ['AOS_STARTED_PIDS', 'a shell array of the services the scripts started'],
  ['AOS_CLEANUP', 'a shell array of stop commands'],
  ['AOS_DOCKERD_PID', 'exported by scripts/docker.sh for its own stop command'],
  ['AOS_DOCKERD_NEW', 'exported by scripts/docker.sh: whether this run started the engine'],
  ['AOS_TEST_IMAGE', 'part of a label text in scripts/docker.sh, not a variable'],
]);

function filesUnder(dir: string, extensions: string[]): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => extensions.some((extension) => file.endsWith(extension)))
    .map((file) => path.join(repoRoot, dir, file));
}

/** Variables the TypeScript code reads: `process.env.X`, `env.X` of a process.env alias, `…FromEnv('X')`-style helpers. */
function variablesReadBy(source: string): string[] {
  const patterns = [
    /\benv\s*\.\s*([A-Z][A-Z0-9_]*)\b/g,
    /\benv\s*\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
    /\b\w*(?:env|Env)\w*\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

/** AOS_ variables the shell scripts expand (`$AOS_X`, `${AOS_X…}`). */
function variablesExpandedBy(script: string): string[] {
  return [...script.matchAll(/\$\{?(AOS_[A-Z0-9_]+)/g)].map((match) => match[1]);
}

/** The first-column names of the table under "Environment variables:" in "What the two commands do". */
function variablesInReadmeTable(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## What the two commands do'));
  const lines = section.slice(section.indexOf('Environment variables:')).split('\n').slice(1);
  const names: string[] = [];
  let inTable = false;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)(?:=[^`]*)?`/g)) names.push(match[1]);
  }
  return names;
}

const isExcluded = (name: string): boolean => TEST_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix)) || TEST_ONLY.has(name) || SCRIPT_INTERNAL.has(name);

function variablesTheCodeReads(): Set<string> {
  const typescript = [...filesUnder('src', ['.ts']), ...filesUnder('scripts', ['.ts']), path.join(repoRoot, 'bin', 'aos.mjs')];
  const shell = filesUnder('scripts', ['.sh']);
  const names = [
    ...typescript.flatMap((file) => variablesReadBy(readFileSync(file, 'utf8'))),
    ...shell.flatMap((file) => variablesExpandedBy(readFileSync(file, 'utf8'))),
  ];
  return new Set(names.filter((name) => !isExcluded(name)));
}

describe('the README variable table', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const documented = new Set(variablesInReadmeTable(readme));
  const read = variablesTheCodeReads();

  it('finds the variables it must (the scan itself works)', () => {
    for (const name of ['DATABASE_URL', 'AOS_PORT', 'AOS_SECRET_KEY', 'AOS_DOCKER', 'AOS_URL']) expect(read).toContain(name);
    for (const name of ['DATABASE_URL', 'TEMPORAL_NAMESPACE', 'AOS_PORT', 'AOS_HOST', 'NODE_ENV']) expect(documented).toContain(name);
  });

  it('lists every variable the code reads', () => {
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});

describe('the scanners', () => {
  it('see direct reads, aliases and helper calls, not other upper-case names', () => {
    const source = [
      "const a = process.env.AOS_ONE ?? process.env['AOS_TWO'];",
      'const b = env.THREE;',
      "const c = intFromEnv('AOS_FOUR', 1) + envMs('AOS_FIVE', 2);",
      "const d = LIMITS.MAX_SIZE + call('AOS_NOT_A_READ');",
    ].join('\n');
    expect(variablesReadBy(source).sort()).toEqual(['AOS_FIVE', 'AOS_FOUR', 'AOS_ONE', 'AOS_TWO', 'THREE']);
  });

  it('see ${AOS_X:-default} and $AOS_X in scripts', () => {
    expect(variablesExpandedBy('port="${AOS_PORT:-4000}"; echo $AOS_DATA_DIR; PATH=$PATH')).toEqual(['AOS_PORT', 'AOS_DATA_DIR']);
  });

  it('read only the first column of the variable table', () => {
    const readme = [
      '## What the two commands do',
      '| step | up | test |',
      '| x | `NOT_THIS` | y |',
      '',
      'Environment variables:',
      '',
      '| variable | meaning | default |',
      '|---|---|---|',
      '| `A_ONE` / `A_TWO` | see `NOT_ME` | `1` |',
      '| `NODE_ENV=production` | x | y |',
      '',
      '| `AFTER_TABLE` | x | y |',
    ].join('\n');
    expect(variablesInReadmeTable(readme)).toEqual(['A_ONE', 'A_TWO', 'NODE_ENV']);
  });
});
