// Which operation a GraphQL document runs, as metric labels from closed sets: the operation's type
// and its first root field as the schema names it. Operation names and aliases are the client's
// choice and never become labels (10 000 distinct names must not make 10 000 series).
import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';

export interface OperationLabels {
  /** query | mutation | subscription, or "(unknown)" when the document names no runnable operation. */
  operation_type: string;
  /** The first root field (`stacks`, `createStack`, `stackEvents`…), or "(unknown)". */
  operation: string;
}

export const UNKNOWN = '(unknown)';
/** The operation label of documents refused before execution (syntax, validation, limits). */
export const INVALID = '(invalid)';

const META_FIELDS: Record<string, ReadonlySet<string>> = {
  query: new Set(['__typename', '__schema', '__type']),
  mutation: new Set(['__typename']),
  subscription: new Set(['__typename']),
};

/** The first field of a selection set, looking through inline fragments and fragment spreads. */
function firstFieldName(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>): string | null {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection.name.value;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const found = firstFieldName(selection.selectionSet, fragments, seen);
      if (found) return found;
      continue;
    }
    const name = selection.name.value;
    const fragment = fragments.get(name);
    // A cycle or a missing fragment is invalid anyway; the walk just must not loop.
    if (!fragment || seen.has(name)) continue;
    seen.add(name);
    const found = firstFieldName(fragment.selectionSet, fragments, seen);
    if (found) return found;
  }
  return null;
}

/**
 * Labels of the operation `document` runs under `operationName`. The root field is checked against
 * the schema, so even a document that skipped validation cannot put a client's string in a label.
 */
export function operationLabelsOf(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): OperationLabels {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { operation_type: UNKNOWN, operation: UNKNOWN };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const name = firstFieldName(operation.selectionSet, fragments, new Set());
  const rootFields = schema.getRootType(operation.operation)?.getFields() ?? {};
  const known = name !== null && (Object.hasOwn(rootFields, name) || META_FIELDS[operation.operation].has(name));
  return { operation_type: operation.operation, operation: known ? name : UNKNOWN };
}

/** The type of the document's operation when it is plain to see (for refused documents), else "(unknown)". */
export function operationTypeOf(document: DocumentNode, operationName?: string | null): string {
  return getOperationAST(document, operationName ?? undefined)?.operation ?? UNKNOWN;
}
