import {
  GraphQLError,
  Kind,
  getNamedType,
  isListType,
  getNullableType,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  /** Estimated number of objects a query can touch: list fields multiply by their page size. */
  maxCost: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 20, maxCost: 20_000 };
const DEFAULT_LIST_SIZE = 20;

function limitError(message: string, node: FieldNode | OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: 'QUERY_TOO_COMPLEX' } });
}

interface Walk {
  depth: number;
  aliases: number;
  cost: number;
}

/**
 * One pass over each operation, following fragments (each spread once per path, so a cycle of
 * fragments — already refused by graphql's own rule — cannot loop here).
 */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const schema = context.getSchema();

    const pageSize = (field: FieldNode): number => {
      const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
      if (arg && arg.value.kind === Kind.INT) return Math.max(1, Number(arg.value.value));
      return DEFAULT_LIST_SIZE;
    };

    const walk = (
      selectionSet: SelectionSetNode,
      parentType: GraphQLType | null | undefined,
      depth: number,
      multiplier: number,
      seen: Set<string>,
      acc: Walk,
    ): void => {
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
          // A connection multiplies by its page size once; its `edges` list is that same page.
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
        const root =
          operation.operation === 'query'
            ? schema.getQueryType()
            : operation.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        const acc: Walk = { depth: 0, aliases: 0, cost: 0 };
        walk(operation.selectionSet, root, 1, 1, new Set(), acc);
        if (acc.depth > limits.maxDepth) context.reportError(limitError(`query depth ${acc.depth} exceeds the limit of ${limits.maxDepth}`, operation));
        if (acc.aliases > limits.maxAliases) context.reportError(limitError(`${acc.aliases} aliases exceed the limit of ${limits.maxAliases}`, operation));
        if (acc.cost > limits.maxCost) context.reportError(limitError(`query cost ${acc.cost} exceeds the limit of ${limits.maxCost}`, operation));
      },
    };
  };
}
