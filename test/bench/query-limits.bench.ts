// Validation of the fragment bomb of issue 8 — `query { ...F0 }` with
// `fragment Fi on Query { ...F(i+1) ...F(i+1) }` — at 10, 16, 22 and 30 levels, and of a normal
// query: the cost rule before issue 8 (copied below as the baseline: it walks every path, so it
// doubles per level; 22 levels take ~10 s, 30 levels would take hours and are not run) against the
// rule now (each fragment costed once), then the whole validation a request goes through now
// (graphql's rules, graphql-armor's limits, the cost rule) inside Yoga.
// Run: npx vitest bench --run test/bench/query-limits.bench.ts (or npm run bench -- test/bench/query-limits.bench.ts)

import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  OperationTypeNode,
  parse,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { bench, describe } from 'vitest';
import { schema } from '../../schema/index.js';
import { DEFAULT_LIMITS, queryCostRule, queryLimitsPlugins } from '../../src/api/limits.js';

// --- the rule before issue 8 (src/api/limits.ts at commit 9ff86d6), unchanged ------------------------
function baselineRule(limits = { maxDepth: 12, maxAliases: 20, maxCost: 20_000 }): ValidationRule {
  const limitError = (message: string, node: FieldNode | OperationDefinitionNode) => new GraphQLError(message, { nodes: [node], extensions: { code: 'QUERY_TOO_COMPLEX' } });
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const schema = context.getSchema();
    const pageSize = (field: FieldNode): number => {
      const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
      if (arg && arg.value.kind === Kind.INT) return Math.max(1, Number(arg.value.value));
      return 20;
    };
    const walk = (selectionSet: SelectionSetNode, parentType: GraphQLType | null | undefined, depth: number, multiplier: number, seen: Set<string>, acc: { depth: number; aliases: number; cost: number }): void => {
      acc.depth = Math.max(acc.depth, depth);
      const named = parentType ? getNamedType(parentType) : null;
      const fields = named && 'getFields' in named ? named.getFields() : {};
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) acc.aliases += 1;
          const fieldDef = (fields as Record<string, { type: GraphQLType }>)[selection.name.value];
          const type = fieldDef?.type;
          const isList = type ? isListType(getNullableType(type)) : false;
          const isConnection = !!type && /Connection$/.test(getNamedType(type).name);
          const isPageOfConnection = selection.name.value === 'edges' && !!named && /Connection$/.test(named.name);
          const own = multiplier * ((isList || isConnection) && !isPageOfConnection ? pageSize(selection) : 1);
          acc.cost += multiplier;
          if (selection.selectionSet) walk(selection.selectionSet, type, depth + 1, own, seen, acc);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const typeName = selection.typeCondition?.name.value;
          walk(selection.selectionSet, typeName ? schema.getType(typeName) : parentType, depth, multiplier, seen, acc);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          const inner = new Set(seen).add(name);
          walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), depth, multiplier, inner, acc);
        }
      }
    };
    return {
      OperationDefinition(operation) {
        const root = operation.operation === OperationTypeNode.QUERY ? schema.getQueryType() : operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getSubscriptionType();
        const acc = { depth: 0, aliases: 0, cost: 0 };
        walk(operation.selectionSet, root, 1, 1, new Set(), acc);
        if (acc.depth > limits.maxDepth) context.reportError(limitError(`query depth ${acc.depth} exceeds the limit of ${limits.maxDepth}`, operation));
        if (acc.aliases > limits.maxAliases) context.reportError(limitError(`${acc.aliases} aliases exceed the limit of ${limits.maxAliases}`, operation));
        if (acc.cost > limits.maxCost) context.reportError(limitError(`query cost ${acc.cost} exceeds the limit of ${limits.maxCost}`, operation));
      },
    };
  };
}
// ------------------------------------------------------------------------------------------------------

function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { viewer { id } }`;
}

const NORMAL = `query($n: Int) {
  viewer { id name role tenant { name } }
  stacks(first: $n) { edges { cursor node { id name status action actionState revision updatedAt
    elements { name type status health } outputs { name value } events(first: 10) { edges { node { id type message } } } } }
    pageInfo { hasNextPage endCursor } }
}`;

const documents = new Map<string, DocumentNode>([...[10, 16, 22, 30].map((levels) => [`bomb ${levels}`, parse(fragmentBomb(levels))] as const), ['normal', parse(NORMAL)]]);
const documentOf = (name: string): DocumentNode => documents.get(name)!;

// The whole validation of a request now, inside Yoga (no server, no authentication: only GraphQL's work).
const yoga = createYoga({ schema, plugins: queryLimitsPlugins(), parserAndValidationCache: { validationCache: false }, logging: false, context: () => ({}) });
async function throughYoga(query: string, variables: Record<string, unknown> = {}): Promise<void> {
  // A field of the normal query would need a viewer: the operation is named but never executed.
  const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `${query} query Unused { __typename }`, operationName: 'Unused', variables }) });
  await res.text();
}

describe('fragment bomb: validation by the cost rule alone', () => {
  for (const levels of [10, 16]) {
    bench(`before, ${levels} levels`, () => {
      validate(schema, documentOf(`bomb ${levels}`), [baselineRule()]);
    });
  }
  bench('before, 22 levels (one run)', () => {
    validate(schema, documentOf('bomb 22'), [baselineRule()]);
  }, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
  for (const levels of [10, 16, 22, 30]) {
    bench(`now, ${levels} levels`, () => {
      validate(schema, documentOf(`bomb ${levels}`), [queryCostRule(DEFAULT_LIMITS, {})]);
    });
  }
});

describe('normal query: validation by the cost rule alone', () => {
  bench('before', () => {
    validate(schema, documentOf('normal'), [baselineRule()]);
  });
  bench('now', () => {
    validate(schema, documentOf('normal'), [queryCostRule(DEFAULT_LIMITS, { n: 20 })]);
  });
});

describe('a request’s whole parse + validation now (graphql rules, graphql-armor, cost), in Yoga', () => {
  for (const levels of [22, 30]) bench(`fragment bomb, ${levels} levels`, () => throughYoga(fragmentBomb(levels)));
  bench('normal query', () => throughYoga(NORMAL, { n: 20 }));
});
