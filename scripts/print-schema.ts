// Writes schema/schema.graphql from the Pothos schema (a test fails when the committed copy is stale).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../src/config.js';
import { printedSchema } from '../schema/index.js';

writeFileSync(path.join(repoRoot, 'schema', 'schema.graphql'), printedSchema());
console.log('schema/schema.graphql written');
