// Prints the node type reference (markdown) generated from the catalog, or with --write puts it in
// README.md between <!-- BEGIN type-reference --> and <!-- END type-reference -->.
// Usage: npx tsx scripts/gen-type-reference.ts [--write]

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listNodeTypes } from '../src/template/catalog/index.js';
import { renderTypeReference } from '../src/template/catalog/reference.js';

const BEGIN = '<!-- BEGIN type-reference -->';
const END = '<!-- END type-reference -->';

const reference = renderTypeReference(listNodeTypes());

if (process.argv.includes('--write')) {
  const readme = path.resolve(import.meta.dirname, '..', 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start === -1 || end < start) {
    console.error(`README.md has no ${BEGIN} … ${END} block`);
    process.exit(1);
  }
  writeFileSync(readme, `${text.slice(0, start + BEGIN.length)}\n${reference}${text.slice(end)}`);
  console.log('README.md: type reference updated');
} else {
  process.stdout.write(reference);
}
