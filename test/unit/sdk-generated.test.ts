// The SDK's generated code is what graphql-codegen makes now from the printed schema and the
// operation documents, and the documents cover the schema: every root field, each document valid.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, Kind, parse, print, validate, visit, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, queryCostRule } from '../../src/api/limits.js';
import { repoRoot } from '../../src/config.js';
import { schema as executableSchema } from '../../schema/index.js';

const operationsDir = path.join(repoRoot, 'schema', 'operations');
const schema = buildSchema(readFileSync(path.join(repoRoot, 'schema', 'schema.graphql'), 'utf8'));
const files = readdirSync(operationsDir).filter((file) => file.endsWith('.graphql'));
// The documents of every file as one: operations use the fragments of fragments.graphql.
const documents = parse(files.map((file) => readFileSync(path.join(operationsDir, file), 'utf8')).join('\n'));
const operations = documents.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
const fragments = new Map(documents.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));

/** An operation as the SDK sends it: its text and the fragments it spreads. */
function sentText(operation: OperationDefinitionNode): string {
  const used = new Set<string>();
  visit(operation, { FragmentSpread: (spread) => void used.add(spread.name.value) });
  return [operation, ...[...used].map((name) => fragments.get(name)!)].map((definition) => print(definition)).join('\n\n');
}

describe('the SDK', () => {
  it('has one valid operation per root field of the schema', () => {
    const rootFields = new Set<string>();
    for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
      for (const name of Object.keys(root?.getFields() ?? {})) rootFields.add(`${kind} ${name}`);
    }
    const covered = new Set<string>();
    expect(validate(schema, documents).map((error) => error.message)).toEqual([]);
    for (const operation of operations) {
      for (const selection of operation.selectionSet.selections) if (selection.kind === Kind.FIELD) covered.add(`${operation.operation} ${selection.name.value}`);
    }
    expect([...rootFields].filter((field) => !covered.has(field)).sort()).toEqual([]);
  });

  it('asks only what the API accepts: every operation within its size, token and cost limits at the largest page', () => {
    for (const operation of operations) {
      const text = sentText(operation);
      const name = operation.name?.value ?? '?';
      expect(text.length, name).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCharacters);
      const document = parse(text, { maxTokens: DEFAULT_LIMITS.maxTokens });
      const errors = validate(executableSchema, document, [queryCostRule(DEFAULT_LIMITS, { first: 100, last: 100 })]);
      expect(errors.map((error) => `${name}: ${error.message}`)).toEqual([]);
    }
  });

  it('is generated from the current schema and documents (npx graphql-codegen --config codegen.yml)', async () => {
    const config = load(readFileSync(path.join(repoRoot, 'codegen.yml'), 'utf8')) as Extract<Parameters<typeof generate>[0], { generates: unknown }>;
    const outputs = await generate({ ...config, cwd: repoRoot, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const committed = readFileSync(path.resolve(repoRoot, output.filename), 'utf8');
      expect(committed, `${output.filename} is stale: run npx graphql-codegen --config codegen.yml`).toBe(output.content);
    }
  }, 60_000);
});
