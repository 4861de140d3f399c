import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { printedSchema } from '../../schema/index.js';

describe('printed schema', () => {
  it('is committed up to date (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(path.join(repoRoot, 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  const contractTool = path.resolve(repoRoot, '..', 'shared', 'tools', 'contract-check.mjs');
  it.skipIf(!existsSync(contractTool))('matches the whole of CONTRACT.graphql', () => {
    const out = execFileSync('node', [contractTool], { cwd: repoRoot, encoding: 'utf8' });
    expect(out).toMatch(/: 0 mismatches/);
  });
});
