import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './fixtures.js';

const templateDir = path.join(repoRoot, 'src', 'template');
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from `entry` through static and dynamic imports (type-only imports included). */
function importGraph(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (!specifier.startsWith('.')) {
        external.add(specifier);
        continue;
      }
      queue.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  }
  return { files, external };
}

describe('modules that Temporal workflows import', () => {
  it('reach no parser, validator, Node built-in or other package', () => {
    const { files, external } = importGraph(path.join(templateDir, 'pure.ts'));
    expect([...external]).toEqual([]);
    const relative = [...files].map((file) => path.relative(templateDir, file));
    for (const module of ['plan.ts', 'diff.ts', 'deferred.ts', 'types.ts', 'masking.ts', 'resolve.ts', 'catalog/index.ts']) {
      expect(relative).toContain(module);
    }
    expect(relative).not.toContain('validate.ts');
    expect(relative).not.toContain('parse.ts');
  });

  it('keep everything under src/template free of Node built-ins', () => {
    const { external } = importGraph(path.join(templateDir, 'index.ts'));
    expect([...external].sort()).toEqual(['ajv', 'ajv-formats', 'js-yaml', 're2js']);
  });
});
