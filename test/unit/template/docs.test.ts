import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_NODE_TYPES } from '../../../src/template/catalog/index.js';
import { renderTypeReference } from '../../../src/template/catalog/reference.js';
import { ProblemCode } from '../../../src/template/index.js';
import { repoRoot } from './fixtures.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function between(text: string, begin: string, end: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(stop).toBeGreaterThan(start);
  return text.slice(start + begin.length, stop);
}

describe('the README template-language section', () => {
  const section = between(readme, '<!-- BEGIN template-language -->', '<!-- END template-language -->');

  it('carries the type reference generated from the catalog (npx tsx scripts/gen-type-reference.ts --write)', () => {
    const types = [...BUILT_IN_NODE_TYPES].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(between(section, '<!-- BEGIN type-reference -->', '<!-- END type-reference -->')).toBe(`\n${renderTypeReference(types)}`);
  });

  it('documents every problem code', () => {
    for (const code of Object.values(ProblemCode)) expect(section).toContain(`| \`${code}\` |`);
  });
});
