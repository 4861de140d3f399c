import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  OperationTypeNode,
  type ASTNode,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE, MAX_PAGE } from '../services/pagination.js';

export interface QueryLimits {
  /** Characters of the query document (values belong in variables, which the body limit bounds). */
  maxCharacters: number;
  /** Lexical tokens of the document: bounds the parser's and every validation rule's work. */
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Estimated number of objects an operation can touch: list fields multiply by their page size. */
  maxCost: number;
  /** Template-heavy root fields (parse, check and resolve a whole template) in one operation. */
  maxHeavyFields: number;
}

export const DEFAULT_LIMITS: Readonly<QueryLimits> = {
  maxCharacters: 15_000,
  maxTokens: 1_000,
  maxDepth: 12,
  maxAliases: 20,
  maxDirectives: 50,
  maxCost: 20_000,
  maxHeavyFields: 2,
};

/** A list field without `first`/`last` (a stack's elements, a template's versions) is costed at this size. */
const DEFAULT_LIST_SIZE = DEFAULT_PAGE;

/** Each of these parses, checks and resolves a template of up to 1 MiB: at most `maxHeavyFields` per operation. */
const HEAVY_FIELDS: ReadonlySet<string> = new Set([
  'Query.validateTemplate',
  'Mutation.createTemplate',
  'Mutation.createTemplateVersion',
  'Mutation.previewStack',
  'Mutation.previewStackUpdate',
  'Mutation.createStack',
  'Mutation.updateStack',
]);

/** Structure limits (depth, aliases, directives, cost, heavy fields): a 400 with this code. */
const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';
/** Size limits of the document itself (characters, tokens). */
const QUERY_TOO_LARGE = 'QUERY_TOO_LARGE';

/**
 * Answered like graphql's own parse and validation errors: 400 for GraphQL-over-HTTP clients
 * (`application/graphql-response+json`), 200 for plain `application/json` ones (`spec`).
 */
function limitError(message: string, code: string = QUERY_TOO_COMPLEX, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, http: { status: 400, spec: true } } });
}

/** graphql-armor prefixes its messages as if they were syntax errors; ours say what the limit is. */
function armorMessage(error: GraphQLError): string {
  return error.message.replace(/^Syntax Error:\s*/, '');
}

const reportToValidation = (context: ValidationContext | null, error: GraphQLError): void => {
  context?.reportError(limitError(armorMessage(error)));
};

interface Tally {
  cost: number;
  heavy: number;
}

/** Thrown inside the walk to stop at the first limit passed: nothing after it is looked at. */
class LimitPassed extends Error {
  constructor(readonly limit: 'cost' | 'heavy') {
    super(limit);
  }
}

type Variables = Readonly<Record<string, unknown>>;

/**
 * The cost of each operation: every field costs the number of times it can be resolved, list
 * fields multiply their selection by their page size — `first`/`last` from the literal or from the
 * variable's value (the largest page, 100, when the value is not a usable number), 20 without
 * either. A connection multiplies once (its `edges` are that same page).
 *
 * Linear in the document: each fragment's cost is computed once per operation and multiplied where
 * it is spread (so `fragment F on Query { ...G ...G }` chains cost a walk of each fragment, not of
 * each path), and the walk stops at the first limit passed. Variable values make the verdict depend
 * on the request: Yoga's validation cache must be off for this rule (see buildApp).
 *
 * Introspection (development only: production refuses it) is costed exactly instead: the fields it
 * would resolve are counted on the schema itself, against the same limit, each step of that count
 * included — GraphiQL's full schema query (about 6 300 fields here) passes, nested
 * `types { fields { type { fields … } } }` does not.
 */
export function queryCostRule(limits: Pick<QueryLimits, 'maxCost' | 'maxHeavyFields'>, variables?: Variables | null): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // Steps of introspection counting, over the whole document: its work stays within maxCost.
    let introspectionSteps = 0;
    const info = { schema } as unknown as GraphQLResolveInfo;

    /** Fields `selectionSet` resolves on `value`, an object of an introspection type, counted one by one. */
    const countIntrospection = (selectionSet: SelectionSetNode, type: GraphQLObjectType, value: unknown, spreadOnPath: ReadonlySet<string>): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        // Every selection is a step, fields or not: fragments that only spread fragments count too.
        if (++introspectionSteps > limits.maxCost) throw new LimitPassed('cost');
        if (selection.kind === Kind.FIELD) {
          count += 1;
          const field = type.getFields()[selection.name.value];
          if (!selection.selectionSet || !field) continue;
          count += countIntrospectionField(selection, field, value, spreadOnPath);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!selection.typeCondition || selection.typeCondition.name.value === type.name) count += countIntrospection(selection.selectionSet, type, value, spreadOnPath);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // A cycle is refused by graphql's own rule; here it only must not loop.
          if (!fragment || spreadOnPath.has(name) || fragment.typeCondition.name.value !== type.name) continue;
          count += countIntrospection(fragment.selectionSet, type, value, new Set(spreadOnPath).add(name));
        }
      }
      return count;
    };

    const countIntrospectionField = (node: FieldNode, field: GraphQLField<unknown, unknown>, source: unknown, spreadOnPath: ReadonlySet<string>): number => {
      const named = getNamedType(field.type);
      if (!node.selectionSet || !isObjectType(named)) return 0;
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, node, variables ?? {});
      } catch {
        // Bad arguments are graphql's own validation errors; count as if there were none.
      }
      const resolved = field.resolve ? field.resolve(source, args, undefined, info) : (source as Record<string, unknown> | null)?.[field.name];
      let count = 0;
      for (const item of Array.isArray(resolved) ? resolved : [resolved]) {
        if (item != null) count += countIntrospection(node.selectionSet, named, item, spreadOnPath);
      }
      return count;
    };

    const costOperation = (operation: OperationDefinitionNode): void => {
      const root = operation.operation === OperationTypeNode.QUERY ? schema.getQueryType() : operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getSubscriptionType();
      const defaults = new Map<string, ValueNode | undefined>();
      for (const definition of operation.variableDefinitions ?? []) defaults.set(definition.variable.name.value, definition.defaultValue);
      // Per operation: a variable's default (hence a fragment's cost) may differ between operations.
      const fragmentTallies = new Map<string, Tally | 'walking'>();

      const pageSizeOf = (value: ValueNode): number => {
        if (value.kind === Kind.INT) return Number(value.value);
        if (value.kind === Kind.NULL) return DEFAULT_PAGE;
        if (value.kind !== Kind.VARIABLE) return MAX_PAGE;
        const name = value.name.value;
        if (variables && Object.prototype.hasOwnProperty.call(variables, name)) {
          const given = variables[name];
          if (given === null) return DEFAULT_PAGE;
          return typeof given === 'number' && Number.isInteger(given) ? given : MAX_PAGE;
        }
        if (!defaults.has(name)) return MAX_PAGE;
        const fallback = defaults.get(name);
        // An unset variable without a default leaves the argument out: the list's own default page.
        return fallback ? pageSizeOf(fallback) : DEFAULT_PAGE;
      };

      const sizeOf = (field: FieldNode): number => {
        let size: number | null = null;
        for (const argument of field.arguments ?? []) {
          if (argument.name.value === 'first' || argument.name.value === 'last') size = Math.max(size ?? 0, pageSizeOf(argument.value));
        }
        return size === null ? DEFAULT_LIST_SIZE : Math.max(1, size);
      };

      const add = (into: Tally, cost: number, heavy: number): void => {
        into.cost += cost;
        into.heavy += heavy;
        if (into.cost > limits.maxCost) throw new LimitPassed('cost');
        if (into.heavy > limits.maxHeavyFields) throw new LimitPassed('heavy');
      };

      const fieldTypeOf = (parent: GraphQLNamedType | null | undefined, name: string): GraphQLType | undefined => {
        if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name]?.type;
        return undefined;
      };

      /** What one pass over `selectionSet` costs, as if its parent were resolved once. */
      const tallyOf = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | null | undefined): Tally => {
        const tally: Tally = { cost: 0, heavy: 0 };
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            const name = selection.name.value;
            const heavy = parent && HEAVY_FIELDS.has(`${parent.name}.${name}`) ? 1 : 0;
            add(tally, 1, heavy);
            if (!selection.selectionSet) continue;
            if (name === '__schema' || name === '__type') {
              add(tally, countIntrospectionField(selection, name === '__schema' ? SchemaMetaFieldDef : TypeMetaFieldDef, undefined, new Set()), 0);
              continue;
            }
            const type = fieldTypeOf(parent, name);
            const named = type ? getNamedType(type) : undefined;
            const isList = !!type && isListType(getNullableType(type));
            const isConnection = !!named && named.name.endsWith('Connection');
            // A connection multiplies by its page size once; its `edges` list is that same page.
            const isPageOfConnection = name === 'edges' && !!parent && parent.name.endsWith('Connection');
            const multiplier = (isList || isConnection) && !isPageOfConnection ? sizeOf(selection) : 1;
            const inner = tallyOf(selection.selectionSet, named);
            add(tally, multiplier * inner.cost, multiplier * inner.heavy);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
            const inner = tallyOf(selection.selectionSet, condition);
            add(tally, inner.cost, inner.heavy);
          } else {
            const name = selection.name.value;
            let inner = fragmentTallies.get(name);
            if (inner === undefined) {
              const fragment = fragments.get(name);
              // Unknown fragments and cycles are refused by graphql's own rules; they add nothing here.
              if (!fragment) continue;
              fragmentTallies.set(name, 'walking');
              inner = tallyOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
              fragmentTallies.set(name, inner);
            }
            if (inner !== 'walking') add(tally, inner.cost, inner.heavy);
          }
        }
        return tally;
      };

      try {
        tallyOf(operation.selectionSet, root);
      } catch (error) {
        if (!(error instanceof LimitPassed)) throw error;
        const message =
          error.limit === 'cost'
            ? `query cost exceeds the limit of ${limits.maxCost} (lists count their page size: first/last, ${DEFAULT_LIST_SIZE} when absent, ${MAX_PAGE} when not a known number)`
            : `more than ${limits.maxHeavyFields} template-heavy fields (${[...HEAVY_FIELDS].map((f) => f.split('.')[1]).join(', ')}) in one operation: send them in separate requests`;
        context.reportError(limitError(message, QUERY_TOO_COMPLEX, [operation]));
      }
    };

    return {
      OperationDefinition(operation) {
        costOperation(operation);
        // Nothing below the operation needs this rule's visitor.
        return false;
      },
    };
  };
}

function variablesOf(context: unknown): Variables | null {
  const params = (context as { params?: { variables?: unknown } } | null)?.params;
  const variables = params?.variables;
  return variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Variables) : null;
}

function sourceLength(source: unknown): number {
  if (typeof source === 'string') return source.length;
  return (source as { body?: string } | null)?.body?.length ?? 0;
}

/**
 * Bounded documents, for HTTP and graphql-ws alike (both go through Yoga's envelop): a character
 * limit before parsing; graphql-armor's token limit while parsing; armor's depth, alias and
 * directive limits (each memoises fragments: linear) and our cost rule during validation. Armor's
 * own cost limit is not used: it ignores list sizes and variables (`first: $n` counts as 1) and
 * charges every fragment spread an extra depth factor.
 */
export function queryLimitsPlugins(limits: QueryLimits = DEFAULT_LIMITS): Plugin[] {
  const characterLimit: Plugin = {
    onParse({ params }) {
      const length = sourceLength(params.source);
      if (length > limits.maxCharacters) {
        throw limitError(`the query has ${length} characters, more than the limit of ${limits.maxCharacters}: pass large values (template bodies) as variables`, QUERY_TOO_LARGE);
      }
    },
  };
  const armor = EnvelopArmorPlugin({
    maxTokens: {
      n: limits.maxTokens,
      propagateOnRejection: false,
      // The parser stops at the first token past the limit.
      onReject: [
        (_context, error) => {
          throw limitError(armorMessage(error), QUERY_TOO_LARGE);
        },
      ],
    },
    // `__schema` is left to the cost rule, which counts introspection exactly (GraphiQL's query is 15 deep).
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: [reportToValidation] },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: [reportToValidation] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [reportToValidation] },
    costLimit: { enabled: false },
    // Hidden by our own plugin (errors.ts), which also catches enum-value suggestions.
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
  const cost: Plugin = {
    onValidate({ addValidationRule, context }) {
      addValidationRule(queryCostRule(limits, variablesOf(context)));
    },
  };
  return [characterLimit, armor, cost];
}
