import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
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
