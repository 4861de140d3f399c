import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/config.js';

/** The product guide's quick-start template, exactly as shipped beside the repository. */
export function quickstartTemplate(): string {
  const shared = path.resolve(repoRoot, '..', 'shared', 'examples', 'nginx-quickstart.yaml');
  if (existsSync(shared)) return readFileSync(shared, 'utf8');
  return readFileSync(path.join(repoRoot, 'test', 'fixtures', 'nginx-quickstart.yaml'), 'utf8');
}
