import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError, type Plugin } from 'graphql-yoga';
import { DomainError } from '../domain/errors.js';

/**
 * Expected failures outside a result union (a bad cursor in a query, say) keep their message and
 * code; everything else becomes "Unexpected error." and stays in the server log.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError) {
    return createGraphQLError(original.message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: original.code },
    });
  }
  return yogaMaskError(error, message, isDev);
}

/**
 * graphql-js ends many messages with a suggestion taken from the schema: `Did you mean "viewer"?`,
 * `Did you mean "first" or "last"?`, `Did you mean the enum value "OPERATOR"?`.
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

function hideSuggestionIn<E extends Error>(error: E): E {
  if (error.message.includes('Did you mean')) error.message = withoutSuggestions(error.message);
  return error;
}

/**
 * `maskError` that also drops schema suggestions from the messages that reach the caller (input
 * coercion at execution: an enum value or input field misspelt in the variables).
 */
export function maskErrorWithoutSuggestions(error: unknown, message: string, isDev?: boolean): Error {
  return hideSuggestionIn(maskError(error, message, isDev));
}

/**
 * With introspection off, "Did you mean …" would hand out the schema a name at a time: validation
 * errors lose their suggestions (graphql-armor's own blocker misses enum-value suggestions).
 */
export function hideSuggestionsPlugin(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) for (const error of result) hideSuggestionIn(error);
      };
    },
  };
}
